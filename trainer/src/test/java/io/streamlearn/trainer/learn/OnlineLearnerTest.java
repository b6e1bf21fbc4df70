package io.streamlearn.trainer.learn;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import io.streamlearn.core.example.Example;
import io.streamlearn.core.model.ModelSpec;
import io.streamlearn.core.testkit.Blobs;
import java.util.List;
import java.util.function.ToDoubleBiFunction;
import org.junit.jupiter.api.Test;

public class OnlineLearnerTest {
    static final ModelSpec SPEC = ModelSpec.mlp("blobs", 4, 3, 16).withOptimizer(io.streamlearn.core.model.OptimizerSpec.adam(0.01f));

    /** Three well separated Gaussian blobs in 4 dimensions. */
    public static List<Example> blobs(int n, long seed, String prefix) {
        return Blobs.three(n, seed, prefix);
    }

    /** Gaussian blobs in 4 dimensions (standard deviation 0.5) around {@code mean(label, dimension)}. */
    static List<Example> blobs(int n, long seed, String prefix, int classes,
            ToDoubleBiFunction<Integer, Integer> mean) {
        return Blobs.of(n, seed, prefix, classes, mean);
    }

    @Test
    void learnsASeparableStreamTestThenTrain() {
        LearningMetrics metrics = new LearningMetrics(3);
        try (OnlineLearner learner = new OnlineLearner(SPEC, Device.cpu(), 0.2, 32, null)) {
            List<Example> stream = blobs(3200, 1, "e");
            for (int i = 0; i < stream.size(); i += 32) {
                metrics.record(learner.step(stream.subList(i, i + 32)));
            }
        }
        assertThat(metrics.examples + metrics.heldOut).isEqualTo(3200);
        assertThat(metrics.heldOut).isBetween(500L, 780L);
        assertThat(metrics.holdoutAccuracy()).isGreaterThan(0.95);
        assertThat(metrics.prequentialAccuracy()).isGreaterThan(0.95);
        assertThat(metrics.steps).isEqualTo(100);
    }

    @Test
    void restoredParametersPredictTheSameAndKeepLearning() {
        List<Example> stream = blobs(640, 2, "e");
        List<Example> probe = blobs(200, 3, "p");
        try (OnlineLearner a = new OnlineLearner(SPEC, Device.cpu(), 0.0, 200, null)) {
            a.step(stream.subList(0, 64));
            byte[] params = a.saveParameters();
            try (OnlineLearner b = new OnlineLearner(SPEC, Device.cpu(), 0.0, 200, params)) {
                assertThat(b.logits(probe)).containsExactly(a.logits(probe));
                assertThat(b.predict(probe)).containsExactly(a.predict(probe));
                LearningMetrics m = new LearningMetrics(3);
                for (int i = 64; i < 640; i += 32) {
                    m.record(b.step(stream.subList(i, i + 32)));
                }
                float lastLoss = (float) m.lastLoss;
                assertThat(m.steps).isEqualTo(18);
                assertThat(lastLoss).as("training continues after a restore").isLessThan(0.3f);
            }
        }
    }

    @Test
    void holdoutIsDeterministicByIdAndNearItsFraction() {
        Holdout h = new Holdout(0.1);
        int held = 0;
        for (int i = 0; i < 20_000; i++) {
            held += h.isHeldOut("id-" + i) ? 1 : 0;
            assertThat(h.isHeldOut("id-" + i)).isEqualTo(new Holdout(0.1).isHeldOut("id-" + i));
        }
        assertThat(held).isBetween(1800, 2200);
    }
}
