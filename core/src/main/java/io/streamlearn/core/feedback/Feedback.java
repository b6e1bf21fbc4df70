package io.streamlearn.core.feedback;

/**
 * A late ground-truth label on the feedback topic, keyed by the request id; {@link FeedbackJsonCodec} is its
 * wire form, {@code {"id":"r1","label":3}}.
 *
 * @param id    the id of the request the label belongs to
 * @param label the true class index, >= 0
 */
public record Feedback(String id, int label) {
    public Feedback {
        if (id == null || id.isEmpty()) {
            throw new IllegalArgumentException("feedback without an id: key the record by the request id or put "
                    + "\"id\" in the value");
        }
        if (label < 0) {
            throw new IllegalArgumentException("feedback for " + id + ": label " + label + " must be >= 0");
        }
    }
}
