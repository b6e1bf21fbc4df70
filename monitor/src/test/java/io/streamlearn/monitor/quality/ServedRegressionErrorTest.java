package io.streamlearn.monitor.quality;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.streamlearn.core.feedback.Feedback;
import io.streamlearn.core.prediction.Prediction;
import io.prometheus.client.CollectorRegistry;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A regression model's served predictions meet their late targets: error per version, on a private registry. */
class ServedRegressionErrorTest {

    @Test
    void joinsAPredictedValueWithItsLateTargetAndExportsMaeRmseAndR2PerVersion() {
        List<LabelJoin.Match> matches = new ArrayList<>();
        LabelJoin join = new LabelJoin(10_000, 100, new LabelJoin.Listener() {
            @Override
            public void matched(LabelJoin.Match m) {
                matches.add(m);
            }

            @Override
            public void expiredPrediction(Prediction p) {}

            @Override
            public void expiredShadow(Prediction p) {}

            @Override
            public void unmatchedLabel(Feedback f) {}

            @Override
            public void duplicate(String side) {}
        });
        // Targets 1, 2, 3, 4; predictions off by 1, -1, 0, 2: MAE 1, MSE 1.5, the targets' variance 1.25.
        float[] targets = {1, 2, 3, 4};
        float[] predicted = {2, 1, 3, 6};
        for (int i = 0; i < 4; i++) {
            Prediction p = Prediction.ofValue("r" + i, new float[] {predicted[i]}, "lin", 3, 1f);
            if (i % 2 == 0) {
                join.onPrediction(p, i);
                join.onLabel(Feedback.ofTarget("r" + i, targets[i]), i);
            } else {
                join.onLabel(Feedback.ofTarget("r" + i, targets[i]), i);
                join.onPrediction(p, i);
            }
        }
        assertThat(matches).hasSize(4).allMatch(LabelJoin.Match::isRegression);
        assertThat(matches.get(3).absoluteError()).isEqualTo(2.0);

        CollectorRegistry registry = new CollectorRegistry();
        ServedQualityMetrics metrics = new ServedQualityMetrics(registry, 1000);
        ServedQualityMetrics.ServedError e = null;
        for (LabelJoin.Match m : matches) {
            e = metrics.recordError("lin", 3, m.absoluteError(), m.squaredError(), m.targetMean());
        }
        assertThat(e.mae()).isCloseTo(1.0, within(1e-12));
        assertThat(e.rmse()).isCloseTo(Math.sqrt(1.5), within(1e-12));
        assertThat(e.r2()).isCloseTo(1 - 1.5 / 1.25, within(1e-12));
        String[] labels = {"model", "version"};
        String[] values = {"lin", "3"};
        assertThat(registry.getSampleValue("streamlearn_served_mae", labels, values)).isCloseTo(1.0, within(1e-12));
        assertThat(registry.getSampleValue("streamlearn_served_rmse", labels, values))
                .isCloseTo(Math.sqrt(1.5), within(1e-12));
        assertThat(registry.getSampleValue("streamlearn_served_r2", labels, values)).isCloseTo(-0.2, within(1e-12));
        assertThat(registry.getSampleValue("streamlearn_served_labeled_total", new String[] {"model", "version",
                "outcome"}, new String[] {"lin", "3", "regression"})).isEqualTo(4.0);
        metrics.unregister();
    }

    @Test
    void aClassLabelOnARegressionPredictionIsNotARegressionMatch() {
        LabelJoin.Match m = new LabelJoin.Match(Prediction.ofValue("r", new float[] {1f}, "lin", 1, 0f), null, 2, 1, null);
        assertThat(m.isRegression()).isFalse();
    }
}
