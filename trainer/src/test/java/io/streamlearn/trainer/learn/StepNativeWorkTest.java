package io.streamlearn.trainer.learn;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import io.streamlearn.core.model.NetworkBuilder;
import io.streamlearn.core.example.Example;
import io.streamlearn.core.model.ModelSpec;
import io.streamlearn.core.model.OptimizerSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The native work of one training step: the NDArrays it creates (each a JNI call to make and one to
 * free). The rollback bookkeeping is one copy of one flat parameter buffer and the update no longer
 * goes through DJL's ParameterServer (which copied every gradient), so per parameter only its gradient
 * handle remains.
 */
class StepNativeWorkTest {
    private static final List<Example> STREAM = OnlineLearnerTest.blobs(32 * 12, 31, "w");

    /** Arrays created by one steady-state step (after warm-up steps, so lazily created state is not counted). */
    static int arraysPerStep(ModelSpec spec) {
        try (OnlineLearner learner = new OnlineLearner(spec, Device.cpu(), 0.0, 32, null)) {
            for (int i = 0; i < 32 * 10; i += 32) {
                learner.step(STREAM.subList(i, i + 32));
            }
            try (ArrayCounter counter = new ArrayCounter()) {
                BatchOutcome o = learner.step(STREAM.subList(320, 352));
                assertThat(o.stepped()).isTrue();
                return counter.created();
            }
        }
    }

    @Test
    void theRollbackCostsNoArraysPerParameterAndTheUpdateOnlyTheGradientHandle() {
        int two = arraysPerStep(ModelSpec.mlp("w", 4, 3, 16, 16).withOptimizer(OptimizerSpec.adam(0.01f)));
        int six = arraysPerStep(ModelSpec.mlp("w", 4, 3, 16, 16, 16, 16, 16, 16).withOptimizer(OptimizerSpec.adam(0.01f)));
        System.out.printf("arrays per step: mlp 2 hidden %d, 6 hidden %d%n", two, six);
        // Four more hidden layers add eight parameters; the forward pass adds two arrays per layer (the
        // linear output and its activation), the step one per parameter (its gradient handle). It was
        // four per parameter: a detached view and a copy for the rollback, DJL's gradient copy, the handle.
        assertThat(six - two).isLessThanOrEqualTo(4 * 2 + 8);
    }

    @Test
    void theFlatStepLearnsExactlyAsDjlsPerParameterStep() {
        List<Example> probe = OnlineLearnerTest.blobs(50, 32, "q");
        for (OptimizerSpec o : List.of(OptimizerSpec.adam(0.01f), OptimizerSpec.sgd(0.05f, 0.9f),
                OptimizerSpec.adagrad(0.1f))) {
            ModelSpec spec = OnlineLearnerTest.SPEC.withOptimizer(o);
            try (OnlineLearner learner = new OnlineLearner(spec, Device.cpu(), 0.0, probe.size(), null)) {
                for (int i = 0; i < 32 * 10; i += 32) {
                    learner.step(STREAM.subList(i, i + 32));
                }
                assertThat(learner.logits(probe)).as(o.type())
                        .usingComparatorWithPrecision(1e-5f).containsExactly(perParameterReference(spec, probe));
            }
        }
    }

    /** The same seeded network trained on the same batches by DJL's Trainer.step(), one update per parameter. */
    private static float[] perParameterReference(ModelSpec spec, List<Example> probe) {
        Engine.getInstance().setRandomSeed((int) spec.seed());
        try (Model model = Model.newInstance(spec.name(), Device.cpu())) {
            model.setBlock(NetworkBuilder.build(spec));
            try (Trainer trainer = model.newTrainer(TrainingSetup.config(spec, Device.cpu(),
                    new OnlineOptimizer(spec.optimizer())))) {
                trainer.initialize(NetworkBuilder.inputShape(spec, 1));
                for (int i = 0; i < 32 * 10; i += 32) {
                    try (NDManager scope = trainer.getManager().newSubManager()) {
                        NDList x = new NDList(rows(scope, STREAM.subList(i, i + 32)));
                        float[] y = new float[32];
                        for (int k = 0; k < 32; k++) {
                            y[k] = STREAM.get(i + k).label();
                        }
                        try (GradientCollector gc = trainer.newGradientCollector()) {
                            NDArray l = trainer.getLoss().evaluate(new NDList(scope.create(y)), trainer.forward(x));
                            gc.backward(l);
                        }
                        trainer.step();
                    }
                }
                try (NDManager scope = trainer.getManager().newSubManager()) {
                    return trainer.evaluate(new NDList(rows(scope, probe))).singletonOrThrow().toFloatArray();
                }
            }
        }
    }

    private static NDArray rows(NDManager scope, List<Example> examples) {
        int f = examples.get(0).features().size();
        float[] x = new float[examples.size() * f];
        for (int i = 0; i < examples.size(); i++) {
            for (int k = 0; k < f; k++) {
                x[i * f + k] = examples.get(i).features().get(k);
            }
        }
        return scope.create(x, new Shape(examples.size(), f));
    }
}
