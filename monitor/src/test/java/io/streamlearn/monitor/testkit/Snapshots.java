package io.streamlearn.monitor.testkit;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import io.streamlearn.core.model.ModelSpec;
import io.streamlearn.core.model.NetworkBuilder;
import io.streamlearn.core.snapshot.SnapshotDraft;
import io.streamlearn.core.snapshot.SnapshotManifest;
import io.streamlearn.core.snapshot.SnapshotStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Real DJL models and snapshots for the monitor's tests: fresh parameters, published as the next version. */
public final class Snapshots {
    private Snapshots() {}

    /** A DJL model of {@code spec} with freshly initialized (random) parameters; the caller closes it. */
    public static Model random(ModelSpec spec) {
        Model model = Model.newInstance(spec.name(), Device.cpu());
        model.setBlock(NetworkBuilder.build(spec));
        model.getBlock().initialize(model.getNDManager(), DataType.FLOAT32, NetworkBuilder.inputShape(spec, 1));
        return model;
    }

    /**
     * A one-layer model of {@code spec} ({@code ModelSpec.mlp(name, features, classes)}, no hidden layer) that scores
     * class {@code k} with input feature {@code featureOf[k]}: with {@code 0, 1, .. classes - 1} it predicts the
     * largest of the first features; a permutation of them is what a model trained on labels permuted the same way
     * learns, so its predictions are the permuted classes. The caller closes it.
     */
    public static Model linear(ModelSpec spec, int... featureOf) {
        Model model = random(spec);
        long features = spec.featureCount();
        for (Pair<String, Parameter> p : model.getBlock().getParameters()) {
            NDArray a = p.getValue().getArray();
            float[] values = new float[(int) a.size()];
            if (a.getShape().dimension() == 2) {
                for (int k = 0; k < featureOf.length; k++) {
                    values[(int) (k * features) + featureOf[k]] = 1f;
                }
            }
            a.set(new NDIndex("..."), model.getNDManager().create(values, a.getShape()));
        }
        return model;
    }

    /** Publishes {@code model}'s parameters as the next version of {@code spec}, staging the file in {@code tmp}. */
    public static SnapshotManifest publish(SnapshotStore store, ModelSpec spec, Model model, Path tmp)
            throws IOException {
        Path dir = Files.createTempDirectory(tmp, "params-");
        model.save(dir, spec.name());
        byte[] params = Files.readAllBytes(dir.resolve(SnapshotStore.paramsFileName(spec.name())));
        long parent = store.latestVersion(spec.name());
        return store.publish(new SnapshotDraft(spec, params, 1000 * (parent + 1), 10 * (parent + 1), -1, parent,
                "PyTorch", "cpu", Map.of("prequential_accuracy", 0.5), Map.of("topic", "test")));
    }

    /** The class {@code model} predicts for one row, straight through DJL. */
    public static int predict(Model model, float[] row) {
        try (NDManager m = model.getNDManager().newSubManager()) {
            NDArray x = m.create(row, new Shape(1, row.length));
            return (int) model.getBlock().forward(new ParameterStore(m, false), new NDList(x), false)
                    .singletonOrThrow().argMax(1).toLongArray()[0];
        }
    }
}
