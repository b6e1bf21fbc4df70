package io.streamlearn.trainer.learn;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.ParameterStore;
import io.streamlearn.core.model.ModelSpec;
import io.streamlearn.core.model.NetworkBuilder;

/**
 * A published version's parameters loaded as a model of its own, the champion that {@link OnlineLearner} also scores
 * holdout rows with. Loaded on any thread (it shares nothing with the learner's models), so the trainer's publisher
 * thread prepares it and the learner only swaps it in ({@link OnlineLearner#setChampion(Champion)}).
 */
public final class Champion implements AutoCloseable {
    private final Model model;
    private final ParameterStore store;

    private Champion(Model model) {
        this.model = model;
        this.store = new ParameterStore(model.getNDManager(), false);
    }

    /** Loads {@code paramsFile} (a DJL parameter file of {@code spec}'s network) on {@code device}. */
    public static Champion load(ModelSpec spec, Device device, byte[] paramsFile) {
        Model m = Model.newInstance(spec.name() + "-champion", device);
        m.setBlock(NetworkBuilder.build(spec));
        try {
            ParameterFiles.load(m, spec.name(), paramsFile);
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
        return new Champion(m);
    }

    /** The champion's inference pass over {@code x}. */
    NDArray forward(NDArray x) {
        return model.getBlock().forward(store, new NDList(x), false).singletonOrThrow();
    }

    @Override
    public void close() {
        model.close();
    }
}
