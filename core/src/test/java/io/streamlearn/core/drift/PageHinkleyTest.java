package io.streamlearn.core.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PageHinkleyTest {

    @Test
    void watchesOnlyTheConfiguredDirection() {
        SplittableRandom r = new SplittableRandom(9);
        PageHinkley up = PageHinkley.create();
        PageHinkley down = new PageHinkley(PageHinkley.Settings.DEFAULTS.watching(PageHinkley.Direction.DOWN));
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
    void startsOverAfterAChange() {
        PageHinkley p = new PageHinkley(new PageHinkley.Settings(0.005, 5, 1 - 0.0001, 30, PageHinkley.Direction.UP));
        int i = 0;
        while (!p.update(i++ < 100 ? 0 : 1)) {
            assertThat(i).isLessThan(1_000);
        }
        assertThat(p.count()).isZero();
        assertThat(p.estimate()).isNaN();
    }

    @Test
    void refusesBadSettings() {
        assertThatThrownBy(() -> new PageHinkley.Settings(0.005, 0, 1 - 0.0001, 30, PageHinkley.Direction.UP)).hasMessageContaining(
                "lambda 0.0");
        assertThatThrownBy(() -> new PageHinkley.Settings(0.005, 50, 1.5, 30, PageHinkley.Direction.UP)).hasMessageContaining(
                "alpha 1.5");
        assertThatThrownBy(() -> PageHinkley.create().update(Double.POSITIVE_INFINITY))
                .hasMessageContaining("page-hinkley: input Infinity is not finite");
    }
}
