package io.streamlearn.core.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class AdwinTest {

    @Test
    void estimateFollowsTheNewMeanAfterAChange() {
        Adwin a = Adwin.builder().build();
        SplittableRandom r = new SplittableRandom(7);
        ErrorStreams.feed(a, r, 0.1, 5_000);
        assertThat(a.estimate()).isCloseTo(0.1, org.assertj.core.data.Offset.offset(0.02));
        assertThat(a.width()).isEqualTo(5_000);
        ErrorStreams.feed(a, r, 0.6, 3_000);
        // The window shrank to (about) the values since the change, so the estimate is the new rate.
        assertThat(a.width()).isLessThan(3_500);
        assertThat(a.estimate()).isCloseTo(0.6, org.assertj.core.data.Offset.offset(0.05));
    }

    @Test
    void detectsAFallOfTheMeanToo() {
        Adwin a = Adwin.builder().build();
        SplittableRandom r = new SplittableRandom(3);
        int detections = 0;
        for (int i = 0; i < 10_000; i++) {
            double p = i < 5_000 ? 0.6 : 0.1;
            if (a.update(r.nextDouble() < p ? 1 : 0)) {
                detections++;
            }
        }
        assertThat(detections).isGreaterThanOrEqualTo(1);
        assertThat(a.estimate()).isLessThan(0.2);
    }

    @Test
    void resetForgetsTheWindow() {
        Adwin a = Adwin.builder().build();
        for (int i = 0; i < 100; i++) {
            a.update(1);
        }
        a.reset();
        assertThat(a.width()).isZero();
        assertThat(a.estimate()).isNaN();
        assertThat(a.state()).isEqualTo(Adwin.builder().build().state());
    }

    @Test
    void refusesNonFiniteInputAndBadSettings() {
        Adwin a = Adwin.builder().build();
        assertThatThrownBy(() -> a.update(Double.NaN)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("adwin: input NaN is not finite");
        assertThat(a.width()).isZero();
        assertThatThrownBy(() -> Adwin.builder().optDelta(0).build()).hasMessageContaining("adwin delta 0.0 must be in (0, 1)");
        assertThatThrownBy(() -> Adwin.builder().optMaxBuckets(1).build()).hasMessageContaining("max buckets 1");
    }

    @Test
    void memoryStaysLogarithmicInTheWindow() {
        Adwin a = Adwin.builder().build();
        SplittableRandom r = new SplittableRandom(5);
        ErrorStreams.feed(a, r, 0.3, 1_000_000);
        // 5 buckets per row, rows of 2^i values: a million values fit in ~20 rows.
        assertThat(a.state().length).isLessThan(64 + 21 * (1 + 5 * 16));
    }
}
