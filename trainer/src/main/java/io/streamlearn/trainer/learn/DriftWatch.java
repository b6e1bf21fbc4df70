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
        double estimate = Double.NaN;
        double batchErrors = 0;
        for (int i = 0; i < o.trained(); i++) {
            double error = o.isRegression() ? Math.min(1, absoluteError(o, i) / scale)
                    : o.predicted()[i] == o.actual()[i] ? 0 : 1;
            batchErrors += error;
            if (detector.updateRise(error) && Double.isNaN(estimate)) {
                estimate = detector.estimate();
                if (Double.isNaN(estimate)) {
                    // Page-Hinkley starts over inside the update that signals, so it has no estimate left: the
                    // batch's error so far is the level the error rose to (without this, its detections were lost).
                    estimate = batchErrors / (i + 1);
                }
                // Start over on the new concept: ADWIN otherwise answers a burst of detections for one
                // change while it sheds its old window bucket by bucket.
                detector.reset();
            }
        }
        return estimate;
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
