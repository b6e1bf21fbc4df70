package io.streamlearn.monitor.drift;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamlearn.core.drift.Adwin;
import io.streamlearn.core.drift.DriftDetector;
import io.streamlearn.core.drift.PageHinkley;
import io.streamlearn.ingest.source.HyperplaneStream;
import io.streamlearn.ingest.source.SeaStream;
import io.streamlearn.monitor.testkit.OnlineLogisticRegression;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The detectors on the prequential error of an online learner fed ingest's drifting generators: SEA's abrupt
 * concept changes are found within a bounded delay, a stationary SEA stream raises (almost) no alarm.
 */
class DriftOnGeneratorsTest {
    private static final int CONCEPT = 20_000;
    private static final int CHANGES = 7;
    /** A detection up to this many examples after a change counts as detecting it; later ones are false alarms. */
    private static final int DETECTION_HORIZON = 5_000;

    record SeaResult(int detected, List<Integer> missed, int falseAlarms, double meanDelay, long maxDelay) {}

    /** {@link SeaResult}s of seeds 1 to 5 and their sums (the maximum of the maximum delays). */
    record SeaTotals(List<SeaResult> runs, int detected, int falseAlarms, long maxDelay, double meanDelaySum) {}

    /** {@link #sea} on seeds 1 to 5, each run printed under {@code name}. */
    private static SeaTotals seaOnFiveSeeds(String name, Supplier<DriftDetector> factory) {
        List<SeaResult> runs = new ArrayList<>();
        for (long seed = 1; seed <= 5; seed++) {
            SeaResult r = sea(factory, seed);
            System.out.println(name + " on SEA (noise 0.1, concept 20000, seed " + seed + "): " + r);
            runs.add(r);
        }
        return new SeaTotals(runs, runs.stream().mapToInt(SeaResult::detected).sum(),
                runs.stream().mapToInt(SeaResult::falseAlarms).sum(),
                runs.stream().mapToLong(SeaResult::maxDelay).max().orElse(0),
                runs.stream().mapToDouble(SeaResult::meanDelay).sum());
    }

    private static SeaResult sea(Supplier<DriftDetector> factory, long seed) {
        SeaStream sea = new SeaStream(CONCEPT, 0.1, seed, (long) CONCEPT * (CHANGES + 1), "sea-");
        OnlineLogisticRegression model = new OnlineLogisticRegression(3, 0.1, 0.1, 1000);
        DriftDetector d = factory.get();
        // Rises of the error only: after a change the adapting learner's error falls again, and ADWIN (which
        // watches both directions) rightly reports that too; it is no alarm about the model getting worse.
        List<Long> detections = new ArrayList<>();
        for (long i = 0; sea.hasNext(); i++) {
            double before = d.estimate();
            if (d.update(model.testThenTrain(sea.next())) && !(d.estimate() <= before)) {
                detections.add(i);
            }
        }
        int detected = 0;
        List<Integer> missed = new ArrayList<>();
        long sum = 0;
        long max = 0;
        int falseAlarms = 0;
        for (int c = 1; c <= CHANGES; c++) {
            long at = (long) c * CONCEPT;
            long first = detections.stream().filter(x -> x >= at && x < at + DETECTION_HORIZON).findFirst().orElse(-1L);
            if (first >= 0) {
                detected++;
                sum += first - at;
                max = Math.max(max, first - at);
            } else {
                missed.add(c);
            }
        }
        for (long x : detections) {
            long sinceChange = x % CONCEPT;
            // Before the first change the learner is still converging; detections there are its error falling.
            if (x >= CONCEPT && sinceChange >= DETECTION_HORIZON) {
                falseAlarms++;
            }
        }
        return new SeaResult(detected, missed, falseAlarms, detected == 0 ? Double.NaN
                : (double) sum / detected, max);
    }

    @Test
    void adwinFindsEverySeaConceptChangeWithinABoundedDelay() {
        SeaTotals t = seaOnFiveSeeds("adwin", () -> Adwin.create());
        for (int i = 0; i < t.runs().size(); i++) {
            assertThat(t.runs().get(i).missed()).as("missed changes, seed %d", i + 1).isSubsetOf(1, 2, 5);
        }
        System.out.printf("adwin on SEA, 5 seeds x %d changes: detected %d, mean delay %.0f, max delay %d, "
                + "false alarms %d in %d stationary examples%n", CHANGES, t.detected(), t.meanDelaySum() / 5,
                t.maxDelay(), t.falseAlarms(), 5L * CHANGES * (CONCEPT - DETECTION_HORIZON));
        // The thresholds cycle 8, 9, 7, 9.5: changes 1 and 5 (8 -> 9) move the boundary over 8.5% of the inputs,
        // the others over 13% to 21%. Changes 3, 4, 6 and 7 are always found; 1 and 5 (small) and 2 (while the
        // learner still adapts to 1) in part.
        assertThat(t.detected()).isGreaterThanOrEqualTo(5 * CHANGES - 10);
        assertThat(t.maxDelay()).isLessThan(1_500);
        assertThat(t.falseAlarms()).isLessThanOrEqualTo(5);
    }

    @Test
    void pageHinkleyFindsMostSeaConceptChanges() {
        SeaTotals t = seaOnFiveSeeds("page-hinkley", () -> PageHinkley.create());
        System.out.printf("page-hinkley on SEA, 5 seeds x %d changes: detected %d, max delay %d, false alarms %d%n",
                CHANGES, t.detected(), t.maxDelay(), t.falseAlarms());
        // Page-Hinkley watches increases only: every SEA change raises the error of the adapted learner.
        assertThat(t.detected()).isGreaterThanOrEqualTo(5 * CHANGES - 5);
        assertThat(t.maxDelay()).isLessThan(1_500);
        assertThat(t.falseAlarms()).isLessThanOrEqualTo(15);
    }

    @Test
    void fewFalseAlarmsOnAStationarySeaStream() {
        int adwin = 0;
        int ph = 0;
        for (long seed = 1; seed <= 5; seed++) {
            SeaStream sea = new SeaStream(Long.MAX_VALUE, 0.1, seed, 105_000, "still-");
            OnlineLogisticRegression model = new OnlineLogisticRegression(3, 0.1, 0.1, 1000);
            DriftDetector a = Adwin.create();
            DriftDetector p = PageHinkley.create();
            for (int i = 0; sea.hasNext(); i++) {
                int err = model.testThenTrain(sea.next());
                double before = a.estimate();
                // Rises only: the learner's error keeps falling slowly, which ADWIN rightly reports as a change.
                boolean da = a.update(err) && !(a.estimate() <= before);
                boolean dp = p.update(err);
                if (i >= 5_000) { // after the learner converged
                    adwin += da ? 1 : 0;
                    ph += dp ? 1 : 0;
                }
            }
        }
        System.out.println("stationary SEA, 5 x 100000 examples after warm-up: adwin " + adwin
                + " false alarms, page-hinkley " + ph);
        assertThat(adwin).isLessThanOrEqualTo(2);
        assertThat(ph).isLessThanOrEqualTo(30);
    }

    @Test
    void adwinSeesARotatingHyperplaneOutgrowAFrozenModelButNotAStillOne() {
        int drifting = frozenModelDetections(new HyperplaneStream(10, 10, 0.01, 0.05, 3, 60_000, "hp-"));
        int still = frozenModelDetections(new HyperplaneStream(10, 0, 0, 0.05, 3, 60_000, "hp-"));
        System.out.println("hyperplane (d=10, noise 0.05), model frozen after 10000: adwin detections "
                + drifting + " when all weights drift by 0.01, " + still + " when none does");
        assertThat(drifting).isGreaterThanOrEqualTo(1);
        assertThat(still).isZero();
    }

    /** Trains on the first 10,000 examples, then only tests: the error of a model that stopped learning. */
    private static int frozenModelDetections(HyperplaneStream stream) {
        OnlineLogisticRegression model = new OnlineLogisticRegression(10, 1, 0.1, 0);
        DriftDetector d = Adwin.create();
        int detections = 0;
        for (int i = 0; stream.hasNext(); i++) {
            if (i < 10_000) {
                model.testThenTrain(stream.next());
            } else if (d.update(model.test(stream.next()))) {
                detections++;
            }
        }
        return detections;
    }
}
