package io.streamlearn.core.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PageHinkleyTest {

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
