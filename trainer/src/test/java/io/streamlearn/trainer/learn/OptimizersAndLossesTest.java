package io.streamlearn.trainer.learn;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import io.streamlearn.core.example.Example;
import io.streamlearn.core.model.InputSpec;
import io.streamlearn.core.model.LayerSpec;
import io.streamlearn.core.model.LossKind;
import io.streamlearn.core.model.ModelSpec;
import io.streamlearn.core.model.OptimizerSpec;
import io.streamlearn.core.model.ScheduleSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** Each optimizer and loss moves a known small problem the right way, and schedules shape the rate. */
class OptimizersAndLossesTest {

    static Stream<Arguments> optimizersAndLosses() {
        List<Arguments> out = new ArrayList<>();
        List<OptimizerSpec> optimizers = List.of(OptimizerSpec.sgd(0.1f, 0f), OptimizerSpec.sgd(0.05f, 0.9f),
                OptimizerSpec.adam(0.01f), OptimizerSpec.adagrad(0.1f),
                OptimizerSpec.adam(0.01f).withWeightDecay(1e-4f),
                OptimizerSpec.sgd(0.1f, 0.9f).withSchedule(new ScheduleSpec("step", 20, 0.5f, 5)));
        for (OptimizerSpec o : optimizers) {
            for (LossKind l : LossKind.values()) {
                if (l == LossKind.HUBER) {
                    continue; // a regression loss: RegressionLearningTest trains with it
                }
                out.add(Arguments.of(o, l));
            }
        }
        return out.stream();
    }

    /** Two Gaussian blobs, linearly separable, in 4 dimensions. */
    private static List<Example> twoBlobs(int n, long seed) {
        return OnlineLearnerTest.blobs(n, seed, "e", 2, (label, d) -> label == 1 ? 1.5 : -1.5);
    }

    @ParameterizedTest(name = "{0} with {1}")
    @MethodSource("optimizersAndLosses")
    void lowersTheLossOfASmallSeparableProblem(OptimizerSpec optimizer, LossKind loss) {
        int outputs = loss == LossKind.SIGMOID_BINARY_CROSS_ENTROPY ? 1 : 2;
        ModelSpec spec = new ModelSpec("p", InputSpec.float32(4), 2,
                List.of(LayerSpec.dense(8), LayerSpec.activation("tanh"), LayerSpec.dense(outputs)), loss, optimizer,
                32, 1);
        List<Example> data = twoBlobs(32 * 60, 5);
        try (OnlineLearner learner = new OnlineLearner(spec, Device.cpu(), 0.0, 32, null)) {
            float first = learner.step(data.subList(0, 32)).loss();
            LearningMetrics m = new LearningMetrics(2);
            for (int i = 32; i < data.size(); i += 32) {
                m.record(learner.step(data.subList(i, i + 32)));
            }
            assertThat(m.fadingLoss).as("loss moved down").isLessThan(first * 0.6);
            assertThat(m.windowAccuracy()).isGreaterThan(0.95);
            assertThat(m.skippedSteps).isZero();
        }
    }

    @Test
    void schedulesShapeTheLearningRate() {
        ScheduleSpec step = new ScheduleSpec("step", 10, 0.5f, null);
        assertThat(step.rate(1f, 1)).isEqualTo(1f);
        assertThat(step.rate(1f, 11)).isEqualTo(0.5f);
        assertThat(step.rate(1f, 21)).isEqualTo(0.25f);
        ScheduleSpec warm = new ScheduleSpec("exponential", null, 0.9f, 4);
        assertThat(warm.rate(1f, 1)).isEqualTo(0.25f);
        assertThat(warm.rate(1f, 4)).isEqualTo(1f);
        assertThat(warm.rate(1f, 5)).isEqualTo(1f);
        assertThat(warm.rate(1f, 6)).isEqualTo(0.9f);
        assertThat(ScheduleSpec.fixed().rate(0.3f, 1000)).isEqualTo(0.3f);
    }
}
