package io.streamlearn.core.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class BenchStatsTest {

    @Test
    void takesTheMiddleValueOrTheMeanOfTheMiddleTwo() {
        assertThat(BenchStats.median(List.of(3.0, 1.0, 2.0))).isEqualTo(2.0);
        assertThat(BenchStats.median(List.of(4.0, 1.0, 3.0, 2.0))).isEqualTo(2.5);
        assertThat(BenchStats.median(List.of())).isNaN();
    }

    @Test
    void printsTheMedianWithItsRange() {
        assertThat(BenchStats.medianRange(List.of(0.91, 0.82, 0.88), "%.2f")).isEqualTo("0.88[0.82..0.91]");
        assertThat(BenchStats.medianRange(List.of(), "%.0f")).isEqualTo("none");
    }

    @Test
    void readsRoundsKeptInAnArrayTheSameWay() {
        assertThat(BenchStats.median(new double[] {4.0, 1.0, 3.0, 2.0})).isEqualTo(2.5);
        assertThat(BenchStats.medianRange(new double[] {1200.4, 980.0, 1100.6}, "%.0f")).isEqualTo("1101[980..1200]");
    }

    @Test
    void takesPercentilesByNearestRank() {
        long[] sorted = new long[100];
        for (int i = 0; i < 100; i++) {
            sorted[i] = i + 1;
        }
        assertThat(BenchStats.percentile(sorted, 0.50)).isEqualTo(50);
        assertThat(BenchStats.percentile(sorted, 0.99)).isEqualTo(99);
        assertThat(BenchStats.percentile(sorted, 1.0)).isEqualTo(100);
        assertThat(BenchStats.percentile(new long[] {7}, 0.01)).isEqualTo(7);
        assertThat(BenchStats.percentile(new long[0], 0.5)).isZero();
    }
}
