package io.streamlearn.core.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What every detector must do (parsing, restoring, delays and false alarms in one table), then each its own test. */
class DriftDetectorTest {

    @Test
    void parsesSpecsWithDefaultsForWhatIsNotNamed() {
        assertThat(DriftDetector.parse("adwin").toString())
                .isEqualTo("adwin:delta=0.002,clock=32,max-buckets=5,min-sub-window=5");
        assertThat(DriftDetector.parse("adwin:delta=0.01,clock=1").toString())
                .isEqualTo("adwin:delta=0.01,clock=1,max-buckets=5,min-sub-window=5");
        assertThat(DriftDetector.parse("page-hinkley:lambda=25,direction=both").toString())
                .isEqualTo("page-hinkley:delta=0.005,lambda=25.0,alpha=0.9999,min-instances=30,direction=both");
        assertThat(DriftDetector.parse("ph").name()).isEqualTo("page-hinkley");
    }

    @Test
    void refusesBadSpecsNamingTheSpecAndTheFix() {
        assertThatThrownBy(() -> DriftDetector.parse("ddm")).hasMessage(
                "drift detector spec 'ddm': unknown detector 'ddm', known: adwin, page-hinkley");
        assertThatThrownBy(() -> DriftDetector.parse("adwin:lambda=3")).hasMessageContaining(
                "unknown adwin setting 'lambda', known: delta, clock, max-buckets, min-sub-window");
        assertThatThrownBy(() -> DriftDetector.parse("adwin:delta=x")).hasMessageContaining("delta 'x' is not a number");
        assertThatThrownBy(() -> DriftDetector.parse("page-hinkley:direction=sideways"))
                .hasMessageContaining("direction 'sideways' must be up, down or both");
    }

    @Test
    void refusesStatesThatAreNotDetectorStates() {
        assertThatThrownBy(() -> DriftDetector.restore("not a state".getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("expected 0x534c4444 (SLDD)");
        byte[] state = Adwin.builder().build().state();
        byte[] future = state.clone();
        future[4] = 2;
        assertThatThrownBy(() -> DriftDetector.restore(future)).hasMessageContaining("format version 2 is not supported");
        assertThatThrownBy(() -> DriftDetector.restore(Arrays.copyOf(state, state.length - 3)))
                .hasMessageContaining("truncated");
        assertThatThrownBy(() -> DriftDetector.restore(null)).hasMessageContaining("too short");
    }

    /**
     * 50 seeded runs of one abrupt change of the error rate after 5,000 values: every run finds it, within the
     * detector's bounds (an empty bound is not claimed). adwin: 0.2 -> 0.5 is the kind of jump a label permutation
     * or a SEA concept change causes; the subtler 0.2 -> 0.3 takes longer but is still found. page-hinkley at MOA's
     * defaults (delta 0.005, lambda 50): the statistic grows by about 0.5 - 0.2 - delta per value after the change,
     * so lambda / 0.295 ~ 170 values; a false alarm just before the change restarts the running mean and can delay
     * one run much more, hence the bound on the mean only. At lambda 100, twice the evidence: no false alarm before
     * the change and a hard bound on every run.
     */
    @ParameterizedTest(name = "{0}: error {1} -> {2}")
    @CsvSource({
        "adwin,                   0.2, 0.5,  5000,  200,  120",
        "adwin,                   0.2, 0.3, 10000, 1500,     ",
        "page-hinkley,            0.2, 0.5,  5000,     ,  200",
        "page-hinkley:lambda=100, 0.2, 0.5,  5000,  500,     ",
        "page-hinkley:lambda=100, 0.2, 0.3, 10000, 2500,     ",
    })
    void detectsAnAbruptRiseOfTheErrorRateWithinABoundedDelay(String spec, double before, double after,
            int afterLength, Long maxDelayAtMost, Double meanDelayBelow) {
        ErrorStreams.Delays d = ErrorStreams.abrupt(() -> DriftDetector.parse(spec), before, after, 5_000,
                afterLength, 50);
        System.out.println(DriftDetector.parse(spec) + ", error " + before + " -> " + after + " after 5000: " + d);
        assertThat(d.detected()).isEqualTo(50);
        if (maxDelayAtMost != null) {
            assertThat(d.maxDelay()).isLessThanOrEqualTo(maxDelayAtMost);
        }
        if (meanDelayBelow != null) {
            assertThat(d.meanDelay()).isLessThan(meanDelayBelow);
        }
    }

    /**
     * False alarms on 10 stationary streams of 100,000 values at error 0.2. Page-Hinkley pays for its short delay:
     * about one alarm per 20,000 values at lambda 50 (ADWIN: none).
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"adwin, 5", "page-hinkley, 60", "page-hinkley:lambda=100, 15"})
    void raisesFewFalseAlarmsOnAStationaryStream(String spec, int atMost) {
        int total = 0;
        for (long seed = 1; seed <= 10; seed++) {
            total += ErrorStreams.falseAlarms(DriftDetector.parse(spec), 0.2, 100_000, seed);
        }
        System.out.println(DriftDetector.parse(spec) + ", stationary error 0.2: " + total + " false alarms in 10 x 100000");
        assertThat(total).isLessThanOrEqualTo(atMost);
    }

    /**
     * A detector restored from a state taken mid-stream answers every later value as the original does, through
     * changes: the stream alternates between two error rates, {@code period / 2} values each.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "'adwin:delta=0.01,clock=16',               Adwin,       11, 0.25, 7777, 20000, 0.55, 1",
        "'page-hinkley:lambda=20,direction=both',   PageHinkley,  4, 0.2,  3333,  5000, 0.5,  4",
    })
    void restoredStateAnswersExactlyAsTheOriginal(String spec, String type, long seed, double low, int warmUp,
            int period, double high, int changesAtLeast) {
        DriftDetector original = DriftDetector.parse(spec);
        SplittableRandom r = new SplittableRandom(seed);
        ErrorStreams.feed(original, r, low, warmUp);
        byte[] state = original.state();
        DriftDetector restored = DriftDetector.restore(state);
        assertThat(restored.getClass().getSimpleName()).isEqualTo(type);
        assertThat(restored.state()).isEqualTo(state);
        assertThat(restored.toString()).isEqualTo(original.toString());
        int changes = 0;
        for (int i = 0; i < 20_000; i++) {
            double x = r.nextDouble() < (i % period < period / 2 ? low : high) ? 1 : 0;
            boolean a = original.update(x);
            assertThat(restored.update(x)).as("value %d", i).isEqualTo(a);
            changes += a ? 1 : 0;
        }
        assertThat(changes).isGreaterThanOrEqualTo(changesAtLeast);
        assertThat(restored.estimate()).isEqualTo(original.estimate());
        assertThat(restored.state()).isEqualTo(original.state());
    }
}
