package io.streamlearn.trainer.learn;

import io.streamlearn.core.drift.DriftDetector;

/**
 * Watches the prequential error of trained rows for a change of concept, one detector per trainer, its state part of
 * the trainer's checkpoints and snapshots. A classifier's error is 0 or 1 per row; a regression model's is the row's
 * absolute error divided by the target's standard deviation, capped at 1, so that both detectors (ADWIN needs values in
 * [0, 1]) keep their default parameters whatever the target's units.
 */
public final class DriftWatch {
    private final DriftDetector detector;

    private DriftWatch(DriftDetector detector) {
        this.detector = detector;
    }

    /**
     * The watch of {@code spec} ({@code DriftDetector.parse} syntax; {@code none}: null), from {@code state} when it is
     * not empty (a restore or a resume).
     */
    public static DriftWatch of(String spec, byte[] state) {
        if (spec.equalsIgnoreCase("none")) {
            return null;
        }
        return new DriftWatch(state != null && state.length > 0 ? DriftDetector.restore(state)
                : DriftDetector.parse(spec));
    }

    /** Feeds the batch's errors; the estimate of the error right after a detected change, NaN when none. */
    public double update(BatchOutcome o) {
        return update(o, Double.NaN);
    }

    /**
     * Feeds the batch's errors, a regression model's scaled by {@code targetStd} (the recent standard deviation of the
     * target; NaN: the batch's own); the estimate of the error right after a detected change, NaN when none.
     */
    public double update(BatchOutcome o, double targetStd) {
        double scale = o.isRegression() ? errorScale(o, targetStd) : 1;
        Feed feed = new Feed();
        for (int i = 0; i < o.trained(); i++) {
            feed.add(error(o, i, scale));
        }
        return feed.estimate;
    }

    /**
     * Feeds pooled errors in order, each in [0, 1] as {@code unsigned byte / 255} (see {@link #errorsOf}): the
     * errors of data-parallel subtasks at a merge; the estimate right after the first detected change, NaN when none.
     */
    public double update(byte[] errors) {
        Feed feed = new Feed();
        for (byte e : errors) {
            feed.add((e & 0xFF) / 255.0);
        }
        return feed.estimate;
    }

    /**
     * Appends the batch's prequential errors to {@code out}, one unsigned byte each (error × 255: a classifier's 0 or
     * 255, a regression model's scaled error rounded): what a data-parallel subtask pools for the merge.
     */
    public static void errorsOf(BatchOutcome o, double targetStd, java.io.ByteArrayOutputStream out) {
        double scale = o.isRegression() ? errorScale(o, targetStd) : 1;
        byte[] errors = new byte[o.trained()];
        for (int i = 0; i < errors.length; i++) {
            errors[i] = (byte) Math.round(error(o, i, scale) * 255);
        }
        // One call per batch: ByteArrayOutputStream.write(int) is synchronized, once per example on the task thread.
        out.write(errors, 0, errors.length);
    }

    /** The detector fed one error at a time; the estimate right after the first change, NaN when none. */
    private final class Feed {
        double estimate = Double.NaN;
        double sum;
        int n;

        void add(double error) {
            sum += error;
            n++;
            if (detector.updateRise(error) && Double.isNaN(estimate)) {
                estimate = detector.estimate();
                if (Double.isNaN(estimate)) {
                    // Page-Hinkley starts over inside the update that signals, so it has no estimate left: the
                    // errors so far are the level the error rose to (without this, its detections were lost).
                    estimate = sum / n;
                }
                // Start over on the new concept: ADWIN otherwise answers a burst of detections for one
                // change while it sheds its old window bucket by bucket.
                detector.reset();
            }
        }
    }

    private static double error(BatchOutcome o, int row, double scale) {
        if (o.isRegression()) {
            return Math.min(1, absoluteError(o, row) / scale);
        }
        return o.predicted()[row] == o.actual()[row] ? 0 : 1;
    }

    private static double absoluteError(BatchOutcome o, int row) {
        int k = o.targets();
        double sum = 0;
        for (int j = row * k; j < (row + 1) * k; j++) {
            sum += Math.abs(o.predictedValues()[j] - o.actualValues()[j]);
        }
        return sum / k;
    }

    private static double errorScale(BatchOutcome o, double targetStd) {
        if (targetStd > 0) {
            return targetStd;
        }
        RegressionCurve batch = new RegressionCurve();
        batch.add(o.predictedValues(), o.actualValues(), 0, o.trained() + o.heldOut(), o.targets(), 1);
        double std = batch.targetStd();
        return std > 0 ? std : 1;
    }

    public String name() {
        return detector.name();
    }

    public byte[] state() {
        return detector.state();
    }
}
