package io.streamlearn.core.drift;

import java.util.SplittableRandom;

/** Synthetic error streams: 0/1 errors of a classifier whose error rate jumps at a known position. */
final class ErrorStreams {
    private ErrorStreams() {}

    /** Detection statistics of one detector over many seeded runs of one abrupt change. */
    record Delays(int runs, int detected, int falseBeforeChange, long minDelay, double meanDelay, long maxDelay) {}

    /**
     * Runs {@code runs} seeded streams: error rate {@code before} for {@code changeAt} values, then {@code after}
     * for {@code afterLength} values. Delay = values after the change until the first detection.
     */
    static Delays abrupt(java.util.function.Supplier<DriftDetector> factory, double before, double after,
            int changeAt, int afterLength, int runs) {
        int detected = 0;
        int falseBefore = 0;
        long min = Long.MAX_VALUE;
        long max = 0;
        long sum = 0;
        for (int seed = 0; seed < runs; seed++) {
            SplittableRandom r = new SplittableRandom(1000 + seed);
            DriftDetector d = factory.get();
            for (int i = 0; i < changeAt; i++) {
                if (d.update(r.nextDouble() < before ? 1 : 0)) {
                    falseBefore++;
                }
            }
            for (int i = 1; i <= afterLength; i++) {
                if (d.update(r.nextDouble() < after ? 1 : 0)) {
                    detected++;
                    min = Math.min(min, i);
                    max = Math.max(max, i);
                    sum += i;
                    break;
                }
            }
        }
        return new Delays(runs, detected, falseBefore, detected == 0 ? -1 : min,
                detected == 0 ? Double.NaN : (double) sum / detected, max);
    }

    /** Detections on {@code length} values of a constant error rate {@code p}. */
    static int falseAlarms(DriftDetector d, double p, int length, long seed) {
        return feed(d, new SplittableRandom(seed), p, length);
    }

    /** Feeds {@code d} {@code length} errors (1) at rate {@code p}, drawn from {@code r}; returns the detections. */
    static int feed(DriftDetector d, SplittableRandom r, double p, int length) {
        int detections = 0;
        for (int i = 0; i < length; i++) {
            if (d.update(r.nextDouble() < p ? 1 : 0)) {
                detections++;
            }
        }
        return detections;
    }
}
