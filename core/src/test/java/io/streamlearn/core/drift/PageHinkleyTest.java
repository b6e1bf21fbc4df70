package io.streamlearn.core.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PageHinkleyTest {

    @Test
    void detectsAnAbruptRiseOfTheErrorRateWithinABoundedDelay() {
        // MOA's defaults (delta 0.005, lambda 50): the statistic grows by about 0.5 - 0.2 - delta per value after
        // the change, so lambda / 0.295 ~ 170 values; a false alarm just before the change restarts the running
        // mean and can delay one run much more, hence the bound on the mean.
        ErrorStreams.Delays big = ErrorStreams.abrupt(() -> PageHinkley.builder().build(), 0.2, 0.5, 5_000, 5_000, 50);
        System.out.println("page-hinkley lambda=50, error 0.2 -> 0.5 after 5000: " + big);
        assertThat(big.detected()).isEqualTo(50);
        assertThat(big.meanDelay()).isLessThan(200);

        // lambda 100: twice the evidence, so no false alarm before the change and a hard bound on every run.
        ErrorStreams.Delays strict = ErrorStreams.abrupt(() -> PageHinkley.builder().optLambda(100).build(),
                0.2, 0.5, 5_000, 5_000, 50);
        System.out.println("page-hinkley lambda=100, error 0.2 -> 0.5 after 5000: " + strict);
        assertThat(strict.detected()).isEqualTo(50);
        assertThat(strict.maxDelay()).isLessThanOrEqualTo(500);

        ErrorStreams.Delays small = ErrorStreams.abrupt(() -> PageHinkley.builder().optLambda(100).build(),
                0.2, 0.3, 5_000, 10_000, 50);
        System.out.println("page-hinkley lambda=100, error 0.2 -> 0.3 after 5000: " + small);
        assertThat(small.detected()).isEqualTo(50);
        assertThat(small.maxDelay()).isLessThanOrEqualTo(2_500);
    }

    @Test
    void raisesFewFalseAlarmsOnAStationaryStream() {
        int defaults = 0;
        int strict = 0;
        for (long seed = 1; seed <= 10; seed++) {
            defaults += ErrorStreams.falseAlarms(PageHinkley.builder().build(), 0.2, 100_000, seed);
            strict += ErrorStreams.falseAlarms(PageHinkley.builder().optLambda(100).build(), 0.2, 100_000, seed);
        }
        System.out.println("page-hinkley, stationary error 0.2, 10 x 100000: " + defaults + " false alarms at lambda=50, "
                + strict + " at lambda=100");
        // Page-Hinkley pays for its short delay: about one alarm per 20,000 values at lambda 50 (ADWIN: none).
        assertThat(defaults).isLessThanOrEqualTo(60);
        assertThat(strict).isLessThanOrEqualTo(15);
    }

    @Test
    void watchesOnlyTheConfiguredDirection() {
        SplittableRandom r = new SplittableRandom(9);
        PageHinkley up = PageHinkley.builder().build();
        PageHinkley down = PageHinkley.builder().optDirection(PageHinkley.Direction.DOWN).build();
        int upAlarms = 0;
        int downAlarms = 0;
        for (int i = 0; i < 10_000; i++) {
            double x = r.nextDouble() < (i < 5_000 ? 0.8 : 0.3) ? 1 : 0; // accuracy-like: falls
            upAlarms += up.update(x) ? 1 : 0;
            downAlarms += down.update(x) ? 1 : 0;
        }
        assertThat(upAlarms).isZero();
        assertThat(downAlarms).isEqualTo(1);
    }

    @Test
    void restoredStateAnswersExactlyAsTheOriginal() {
        PageHinkley original = PageHinkley.builder().optLambda(20).optDirection(PageHinkley.Direction.BOTH).build();
        SplittableRandom r = new SplittableRandom(4);
        ErrorStreams.feed(original, r, 0.2, 3_333);
        byte[] state = original.state();
        DriftDetector restored = DriftDetector.restore(state);
        assertThat(restored).isInstanceOf(PageHinkley.class);
        assertThat(restored.state()).isEqualTo(state);
        int changes = 0;
        for (int i = 0; i < 20_000; i++) {
            double x = r.nextDouble() < (i % 5_000 < 2_500 ? 0.2 : 0.5) ? 1 : 0;
            boolean a = original.update(x);
            assertThat(restored.update(x)).as("value %d", i).isEqualTo(a);
            changes += a ? 1 : 0;
        }
        assertThat(changes).isGreaterThanOrEqualTo(4);
        assertThat(restored.state()).isEqualTo(original.state());
    }

    @Test
    void startsOverAfterAChange() {
        PageHinkley p = PageHinkley.builder().optLambda(5).build();
        int i = 0;
        while (!p.update(i++ < 100 ? 0 : 1)) {
            assertThat(i).isLessThan(1_000);
        }
        assertThat(p.count()).isZero();
        assertThat(p.estimate()).isNaN();
    }

    @Test
    void refusesBadSettings() {
        assertThatThrownBy(() -> PageHinkley.builder().optLambda(0).build()).hasMessageContaining("lambda 0.0");
        assertThatThrownBy(() -> PageHinkley.builder().optAlpha(1.5).build()).hasMessageContaining("alpha 1.5");
        assertThatThrownBy(() -> PageHinkley.builder().build().update(Double.POSITIVE_INFINITY))
                .hasMessageContaining("page-hinkley: input Infinity is not finite");
    }
}
