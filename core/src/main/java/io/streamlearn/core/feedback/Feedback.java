package io.streamlearn.core.feedback;

import java.util.Arrays;
import java.util.Objects;

/**
 * A late ground-truth label on the feedback topic, keyed by the request id; {@link FeedbackJsonCodec} is its
 * wire form, {@code {"id":"r1","label":3}} or, for a regression model, {@code {"id":"r1","target":2.5}}.
 *
 * @param id     the id of the request the label belongs to
 * @param label  the true class index, >= 0; {@link #NO_LABEL} when the feedback is a regression target
 * @param target the true real value(s) of a regression request, null for a class label; not copied
 */
public record Feedback(String id, int label, float[] target) {
    /** The label of a feedback that carries a regression target instead. */
    public static final int NO_LABEL = -1;

    public Feedback {
        if (id == null || id.isEmpty()) {
            throw new IllegalArgumentException("feedback without an id: key the record by the request id or put "
                    + "\"id\" in the value");
        }
        if (target == null && label < 0) {
            throw new IllegalArgumentException("feedback for " + id + ": label " + label + " must be >= 0");
        }
        if (target != null && (target.length == 0 || label < NO_LABEL)) {
            throw new IllegalArgumentException("feedback for " + id + ": a target needs at least one value");
        }
    }

    /** A class label. */
    public Feedback(String id, int label) {
        this(id, label, null);
    }

    /** A regression target. */
    public static Feedback ofTarget(String id, float... target) {
        return new Feedback(id, NO_LABEL, target);
    }

    /** Whether this feedback is a regression target rather than a class label. */
    public boolean hasTarget() {
        return target != null;
    }

    // Records compare arrays by reference; feedback compares its target by value.
    @Override
    public boolean equals(Object o) {
        return o instanceof Feedback f && label == f.label && id.equals(f.id) && Arrays.equals(target, f.target);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, label, Arrays.hashCode(target));
    }

    @Override
    public String toString() {
        return "Feedback[id=" + id + ", label=" + label + (target == null ? "" : ", target=" + Arrays.toString(target))
                + "]";
    }
}
