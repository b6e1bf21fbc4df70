package io.streamlearn.trainer.learn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import io.streamlearn.core.example.Example;
import io.streamlearn.core.example.Features;
import io.streamlearn.core.model.InputSpec;
import io.streamlearn.core.model.LayerSpec;
import io.streamlearn.core.model.LossKind;
import io.streamlearn.core.model.ModelSpec;
import io.streamlearn.core.model.OptimizerSpec;
import io.streamlearn.core.snapshot.ManifestMetrics;
import io.streamlearn.trainer.snapshot.QualityGate;
import io.streamlearn.trainer.state.TrainerState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Regression targets and example weights in the learner, its metrics, the gate and the drift watch. */
class RegressionLearningTest {

    private static ModelSpec specFor(LossKind loss) {
        OptimizerSpec sgd = OptimizerSpec.sgd(0.1f, 0f);
        if (loss == LossKind.L2 || loss == LossKind.HUBER) {
            return new ModelSpec("w", InputSpec.float32(4), 1, List.of(LayerSpec.dense(6), LayerSpec.activation("tanh"),
                    LayerSpec.dense(2)), loss, sgd, 8, 3, "xavier", ModelSpec.REGRESSION, 2);
        }
        int outputs = loss == LossKind.SIGMOID_BINARY_CROSS_ENTROPY ? 1 : 2;
        return new ModelSpec("w", InputSpec.float32(4), 2, List.of(LayerSpec.dense(6), LayerSpec.activation("tanh"),
                LayerSpec.dense(outputs)), loss, sgd, 8, 3);
    }

    private static Example example(String id, float[] x, int label, float weight, boolean regression) {
        return regression
                ? new Example(id, Features.ofFloats(x), Example.NO_LABEL, new float[] {x[0] * 3, 2f - x[1] * 5}, weight,
                        Example.NO_TIMESTAMP, null)
                : new Example(id, Features.ofFloats(x), label, weight, Example.NO_TIMESTAMP);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(LossKind.class)
    void anExampleOfWeightTwoGivesTheSameGradientAsThatExampleTwice(LossKind loss) {
        ModelSpec spec = specFor(loss);
        boolean regression = spec.isRegression();
        float[] a = {0.5f, -1f, 2f, 0.1f};
        float[] b = {-1.5f, 0.3f, 0.2f, 1f};
        float[] c = {0.9f, 0.9f, -0.4f, -2f};
        List<Example> weighted = List.of(example("a", a, 1, 2f, regression), example("b", b, 0, 1f, regression),
                example("c", c, 1, 0.5f, regression));
        List<Example> repeated = List.of(example("a", a, 1, 1f, regression), example("a2", a, 1, 1f, regression),
                example("b", b, 0, 1f, regression), example("c", c, 1, 0.5f, regression));
        // The unweighted mean of the same rows differs: the test fails if weights were ignored.
        List<Example> ignored = List.of(example("a", a, 1, 1f, regression), example("b", b, 0, 1f, regression),
                example("c", c, 1, 1f, regression));
        List<Example> probe = List.of(example("p", new float[] {1, 1, 1, 1}, 0, 1f, regression),
                example("q", new float[] {-2, 0.5f, 1, -1}, 0, 1f, regression));
        // Plain SGD without momentum: one step moves the parameters by -lr × the gradient, so equal outputs after one
        // step from equal parameters mean equal gradients.
        float[] afterWeighted = outputsAfterOneStep(spec, weighted, probe);
        float[] afterRepeated = outputsAfterOneStep(spec, repeated, probe);
        float[] afterIgnored = outputsAfterOneStep(spec, ignored, probe);
        for (int i = 0; i < afterWeighted.length; i++) {
            assertThat(afterWeighted[i]).as("output %d", i).isCloseTo(afterRepeated[i], within(1e-5f));
        }
        double difference = 0;
        for (int i = 0; i < afterWeighted.length; i++) {
            difference += Math.abs(afterWeighted[i] - afterIgnored[i]);
        }
        assertThat(difference).as("weights change the step").isGreaterThan(1e-4);
    }

    private static float[] outputsAfterOneStep(ModelSpec spec, List<Example> batch, List<Example> probe) {
        try (OnlineLearner learner = new OnlineLearner(spec, Device.cpu(), 0.0, 8, null)) {
            BatchOutcome o = learner.step(batch);
            assertThat(o.stepped()).isTrue();
            return learner.logits(probe);
        }
    }

    @Test
    void aBatchWhoseWeightsAreAllZeroIsScoredButNotTrained() {
        ModelSpec spec = specFor(LossKind.L2);
        List<Example> zero = List.of(example("a", new float[] {1, 2, 3, 4}, 0, 0f, true));
        try (OnlineLearner learner = new OnlineLearner(spec, Device.cpu(), 0.0, 8, null)) {
            float[] before = learner.logits(zero);
            BatchOutcome o = learner.step(zero);
            assertThat(o.stepped()).isFalse();
            assertThat(o.predictedValues()).containsExactly(before);
            assertThat(learner.logits(zero)).containsExactly(before);
        }
    }

    @Test
    void learnsALinearFunctionWithNoiseToAnR2Above095() {
        ModelSpec spec = ModelSpec.linearRegression("lin", 10, 1);
        List<Example> stream = RegressionStreams.linear(6400, 1, "e");
        try (OnlineLearner learner = new OnlineLearner(spec, Device.cpu(), 0.1, 32, null)) {
            LearningMetrics m = new LearningMetrics(spec.classes());
            for (int i = 0; i < stream.size(); i += 32) {
                m.record(learner.step(stream.subList(i, i + 32)));
            }
            Map<String, Double> manifest = m.toManifestMetrics();
            assertThat(manifest.get(ManifestMetrics.HOLDOUT_R2)).isGreaterThan(0.95);
            assertThat(manifest.get(ManifestMetrics.PREQUENTIAL_R2)).isGreaterThan(0.95);
            // The noise's standard deviation is 0.1 × |w| ≈ 0.58: the error cannot go below it, nor stay far above.
            assertThat(manifest.get(ManifestMetrics.HOLDOUT_RMSE)).isBetween(0.4, 0.9);
            assertThat(manifest.get(ManifestMetrics.PREQUENTIAL_MAE)).isLessThan(manifest.get(
                    ManifestMetrics.PREQUENTIAL_RMSE));
            assertThat(manifest).doesNotContainKey(ManifestMetrics.HOLDOUT_ACCURACY);
            assertThat(m.skippedSteps).isZero();
        }
    }

    @Test
    void computesMaeRmseAndR2ExactlyOnKnownRows() {
        LearningMetrics m = new LearningMetrics(1);
        // Targets 1, 2, 3, 4; predictions off by 1, -1, 0, 2: MAE 1, MSE 6/4, variance of the targets 1.25.
        float[] actual = {1, 2, 3, 4};
        float[] predicted = {2, 1, 3, 6};
        m.record(new BatchOutcome(4, 0, new int[4], new int[4], 0.5f, true, false, -1, predicted, actual, Double.NaN));
        assertThat(m.prequentialErrors.mae()).isCloseTo(1.0, within(1e-12));
        assertThat(m.prequentialErrors.rmse()).isCloseTo(Math.sqrt(1.5), within(1e-12));
        assertThat(m.prequentialErrors.r2()).isCloseTo(1 - 1.5 / 1.25, within(1e-12));
        assertThat(m.examples).isEqualTo(4);
        assertThat(m.prequentialAccuracy()).isNaN();
    }

    @Test
    void regressionMetricsSurviveTheTrainerStateRoundTrip() {
        LearningMetrics m = new LearningMetrics(1);
        m.record(new BatchOutcome(2, 1, new int[3], new int[3], 0.25f, true, false, -1, new float[] {1, 2, 3},
                new float[] {1.5f, 2f, 2f}, 0.5));
        TrainerState state = new TrainerState(new byte[] {1}, new byte[0], m, List.of(Example.withTarget("b",
                Features.ofFloats(new float[] {1}), 7f)), 3, new byte[0], "lineage");
        TrainerState back = TrainerState.decode(state.encode());
        assertThat(back.metrics().toManifestMetrics()).isEqualTo(m.toManifestMetrics());
        assertThat(back.metrics().regressionState()).containsExactly(m.regressionState());
        assertThat(back.buffered()).containsExactly(state.buffered().get(0));
        assertThat(back.buffered().get(0).target()).containsExactly(7f);
    }

    @Test
    void theGateRefusesARegressionModelWorseThanItsChampionOrBelowTheR2Floor() {
        QualityGate gate = new QualityGate(0.05, 0.5);
        assertThat(gate.refusal(true, Map.of(ManifestMetrics.HOLDOUT_RMSE, 1.04, ManifestMetrics.HOLDOUT_R2, 0.9),
                1.0)).isNull();
        assertThat(gate.refusal(true, Map.of(ManifestMetrics.HOLDOUT_RMSE, 1.06, ManifestMetrics.HOLDOUT_R2, 0.9,
                ManifestMetrics.CHAMPION_HOLDOUT_RMSE, 1.0), Double.NaN))
                .contains("holdout RMSE 1.060 is more than 5.0% above the published version's 1.000");
        assertThat(gate.refusal(true, Map.of(ManifestMetrics.HOLDOUT_RMSE, 1.04, ManifestMetrics.HOLDOUT_R2, 0.9,
                ManifestMetrics.CHAMPION_HOLDOUT_RMSE, 1.0), Double.NaN)).isNull();
        assertThat(gate.refusal(true, Map.of(ManifestMetrics.HOLDOUT_RMSE, 2.0, ManifestMetrics.HOLDOUT_R2, 0.4),
                Double.NaN)).contains("holdout R² 0.4000 is below the minimum 0.5000");
    }

    @Test
    void theDriftWatchSeesTheRegressionErrorRise() {
        DriftWatch watch = DriftWatch.of("page-hinkley", null);
        Random r = new Random(3);
        long detectedAt = -1;
        for (int batch = 0; batch < 200 && detectedAt < 0; batch++) {
            float[] actual = new float[32];
            float[] predicted = new float[32];
            double noise = batch < 100 ? 0.1 : 1.5;
            for (int i = 0; i < 32; i++) {
                actual[i] = (float) r.nextGaussian();
                predicted[i] = (float) (actual[i] + noise * r.nextGaussian());
            }
            double estimate = watch.update(new BatchOutcome(32, 0, new int[32], new int[32], 0.1f, true, false, -1,
                    predicted, actual, Double.NaN), 1.0);
            if (!Double.isNaN(estimate)) {
                detectedAt = batch;
            }
        }
        assertThat(detectedAt).as("batch of the detection").isBetween(100L, 110L);
    }
}
