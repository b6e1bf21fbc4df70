package io.streamlearn.core.example;

/**
 * One labeled example (or, with {@link #NO_LABEL}, one prediction request) as it travels on the
 * examples and requests topics.
 *
 * @param id          non-empty identifier; the Kafka key and the holdout hash input
 * @param features    the feature vector
 * @param label       class index, or {@link #NO_LABEL} for a request or a regression example
 * @param target      real-valued target of a regression example (one value or a vector), null for a class label
 *                    or a request; not copied, so the caller must not change it afterwards
 * @param weight      example weight, finite and non-negative (default 1); scales the example's loss, normalized
 *                    by the batch's sum of weights
 * @param timestampMs event time in epoch milliseconds, or {@link #NO_TIMESTAMP}
 * @param position    where the trainer read it (partition and offset), null when not read from Kafka; not part
 *                    of either wire form, so an example decoded from bytes has none
 */
public record Example(String id, Features features, int label, float[] target, float weight, long timestampMs,
        Position position) {

    /**
     * The Kafka partition and offset an example was read at; the trainer records the next offset per partition
     * in each snapshot's manifest.
     */
    public record Position(int partition, long offset) {}

    /** Label of an unlabeled record (a prediction request). */
    public static final int NO_LABEL = -1;
    /** Timestamp of a record that carries none. */
    public static final long NO_TIMESTAMP = Long.MIN_VALUE;
    /** Longest id in UTF-8 bytes (the binary layout stores the length in two bytes). */
    public static final int MAX_ID_BYTES = 0xFFFF;
    /** Most values one target may have (the binary layout stores the count in two bytes). */
    public static final int MAX_TARGET_VALUES = 0xFFFF;

    public Example {
        if (id == null || id.isEmpty()) {
            throw new IllegalArgumentException("example id must be a non-empty string");
        }
        if (features == null) {
            throw new IllegalArgumentException("example " + id + ": features must not be null");
        }
        if (label < NO_LABEL) {
            throw new IllegalArgumentException("example " + id + ": label " + label + " is negative");
        }
        if (!Float.isFinite(weight) || weight < 0) {
            throw new IllegalArgumentException("example " + id + ": weight " + weight + " must be finite and >= 0");
        }
        if (target != null && (target.length == 0 || target.length > MAX_TARGET_VALUES)) {
            throw new IllegalArgumentException("example " + id + ": target has " + target.length
                    + " values, expected 1.." + MAX_TARGET_VALUES);
        }
    }

    /** A classification example or a request (no target), as read at {@code position}. */
    public Example(String id, Features features, int label, float weight, long timestampMs, Position position) {
        this(id, features, label, null, weight, timestampMs, position);
    }

    /** An example not read from Kafka (yet): no position. */
    public Example(String id, Features features, int label, float weight, long timestampMs) {
        this(id, features, label, null, weight, timestampMs, null);
    }

    /** This example as read at {@code offset} of {@code partition}. */
    public Example at(int partition, long offset) {
        return new Example(id, features, label, target, weight, timestampMs, new Position(partition, offset));
    }

    /** A regression example with weight 1 and no timestamp. */
    public static Example withTarget(String id, Features features, float... target) {
        return new Example(id, features, NO_LABEL, target, 1f, NO_TIMESTAMP, null);
    }

    /** A labeled example with weight 1 and no timestamp. */
    public static Example labeled(String id, Features features, int label) {
        return new Example(id, features, label, 1f, NO_TIMESTAMP);
    }

    /** An unlabeled prediction request. */
    public static Example request(String id, Features features) {
        return new Example(id, features, NO_LABEL, 1f, NO_TIMESTAMP);
    }

    /** Whether this record carries a label. */
    public boolean hasLabel() {
        return label != NO_LABEL;
    }

    /** Whether this record carries a real-valued target (a regression example). */
    public boolean hasTarget() {
        return target != null;
    }

    // The target is an array: records compare arrays by reference, examples by value.
    @Override
    public boolean equals(Object o) {
        return o instanceof Example e && label == e.label && Float.compare(weight, e.weight) == 0
                && timestampMs == e.timestampMs && id.equals(e.id) && features.equals(e.features)
                && java.util.Arrays.equals(target, e.target) && java.util.Objects.equals(position, e.position);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(id, features, label, java.util.Arrays.hashCode(target), weight, timestampMs,
                position);
    }

    @Override
    public String toString() {
        return "Example[id=" + id + ", features=" + features + ", label=" + label
                + (target == null ? "" : ", target=" + java.util.Arrays.toString(target)) + ", weight=" + weight
                + ", timestampMs=" + timestampMs + ", position=" + position + "]";
    }

    /** Whether this record carries an event time. */
    public boolean hasTimestamp() {
        return timestampMs != NO_TIMESTAMP;
    }
}
