package io.streamlearn.trainer.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.streamlearn.trainer.learn.BatchOutcome;
import io.streamlearn.trainer.learn.LearningMetrics;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The metrics of the whole model from its subtasks', by the rule {@link MetricsMerge} documents. */
class MetricsMergeTest {
    private static BatchOutcome batch(int[] predicted, int[] actual) {
        return new BatchOutcome(predicted.length, 0, predicted, actual, 0.5f, true, false, -1);
    }

    @Test
    void countersAreSumsAndFadingSumsFadeTheBaseByAllExamples() {
        LearningMetrics base = new LearningMetrics(2);
        base.record(batch(new int[] {0, 1, 1}, new int[] {0, 1, 0}));
        LearningMetrics a = MetricsMerge.copy(base);
        a.record(batch(new int[] {0, 0}, new int[] {0, 0}));
        LearningMetrics b = MetricsMerge.copy(base);
        b.record(batch(new int[] {1, 1, 0}, new int[] {1, 0, 0}));
        LearningMetrics m = MetricsMerge.merge(base, List.of(a, b));
        assertThat(m.examples).isEqualTo(8);
        assertThat(m.correct).isEqualTo(2 + 2 + 2);
        assertThat(m.steps).isEqualTo(3);
        assertThat(m.windowWrites).isEqualTo(8);
        double alpha = LearningMetrics.ALPHA;
        // base: 2 correct of 3, faded by all 5 new examples; a: 2 of 2 faded by nothing more; b: 2 of 3.
        assertThat(m.fadingCorrect).isCloseTo(2 * Math.pow(alpha, 5) + 2 + 2, within(1e-9));
        assertThat(m.fadingCount).isCloseTo(3 * Math.pow(alpha, 5) + 2 + 3, within(1e-9));
        assertThat(m.windowAccuracy()).isCloseTo(6.0 / 8, within(1e-12));
    }

    @Test
    void oneSubtasksMetricsAreTakenAsTheyAre() {
        LearningMetrics base = new LearningMetrics(2);
        LearningMetrics a = MetricsMerge.copy(base);
        a.record(batch(new int[] {0, 1}, new int[] {0, 0}));
        LearningMetrics m = MetricsMerge.merge(base, List.of(a));
        assertThat(m).isNotSameAs(a);
        assertThat(m.fadingCorrect).isEqualTo(a.fadingCorrect);
        assertThat(m.examples).isEqualTo(a.examples);
    }

    @Test
    void regressionErrorSumsMergeByTheSameRuleAndSurviveTheContributionLayout() {
        LearningMetrics base = new LearningMetrics(1);
        base.record(values(new float[] {1, 2}, new float[] {1, 4}));
        base = MetricsMerge.copy(base);
        LearningMetrics a = MetricsMerge.copy(base);
        a.record(values(new float[] {0}, new float[] {-3}));
        LearningMetrics b = MetricsMerge.copy(base);
        b.record(values(new float[] {5, 5}, new float[] {4, 6}));
        LearningMetrics m = MetricsMerge.merge(base, List.of(a, b));
        double alpha = LearningMetrics.ALPHA;
        // base: |0| + |2| over 2 rows, faded by the 3 new rows; a: |3| over 1 row; b: |1| + |1| over 2 rows.
        assertThat(m.prequentialErrors.weight).isCloseTo(2 * Math.pow(alpha, 3) + 1 + 2, within(1e-9));
        assertThat(m.prequentialErrors.absoluteError).isCloseTo(2 * Math.pow(alpha, 3) + 3 + 2, within(1e-9));
        // A negative target sum is kept as it is, not clamped like a count.
        assertThat(m.prequentialErrors.targetSum).isCloseTo(5 * Math.pow(alpha, 3) - 3 + 10, within(1e-9));
        assertThat(MetricsMerge.copy(m).regressionState()).containsExactly(m.regressionState());
    }

    private static BatchOutcome values(float[] predicted, float[] actual) {
        int n = predicted.length;
        return new BatchOutcome(n, 0, new int[n], new int[n], 0.5f, true, false, -1, predicted, actual, Double.NaN);
    }
}
