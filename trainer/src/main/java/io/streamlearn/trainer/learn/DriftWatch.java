package io.streamlearn.trainer.learn;

import io.streamlearn.core.drift.DriftDetector;

/**
 * Watches the prequential error of trained rows for a change of concept, one detector per trainer, its state part of
 * the trainer's checkpoints and snapshots.
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
        double estimate = Double.NaN;
        for (int i = 0; i < o.trained(); i++) {
            estimate = feed(o.predicted()[i] == o.actual()[i] ? 0 : 1, estimate);
        }
        return estimate;
    }

    /**
     * Feeds prequential errors (1: wrong, 0: right) in order: the pooled errors of data-parallel subtasks at a merge;
     * the estimate right after the first detected change, NaN when none.
     */
    public double update(byte[] errors) {
        double estimate = Double.NaN;
        for (byte e : errors) {
            estimate = feed(e, estimate);
        }
        return estimate;
    }

    private double feed(int error, double estimate) {
        if (detector.updateRise(error) && Double.isNaN(estimate)) {
            double now = detector.estimate();
            // Start over on the new concept: ADWIN otherwise answers a burst of detections for one
            // change while it sheds its old window bucket by bucket.
            detector.reset();
            return now;
        }
        return estimate;
    }

    /** Appends the batch's prequential errors (1: wrong) to {@code out}: what a data-parallel subtask pools. */
    public static void errorsOf(BatchOutcome o, java.io.ByteArrayOutputStream out) {
        for (int i = 0; i < o.trained(); i++) {
            out.write(o.predicted()[i] == o.actual()[i] ? 0 : 1);
        }
    }

    public String name() {
        return detector.name();
    }

    public byte[] state() {
        return detector.state();
    }
}
