package io.streamlearn.ingest.validate;

import java.util.Locale;

/** Why a record was rejected, in few enough kinds to be a metric label and a summary line. */
public enum RejectReason {
    /** The input does not parse: broken JSON, wrong types, a truncated binary record. */
    MALFORMED,
    /** A record with no bytes. */
    EMPTY,
    /** Larger than the schema's record size cap. */
    TOO_LARGE,
    /** Feature count (or image shape) differs from the schema. */
    FEATURE_COUNT,
    /** Float features where the schema needs uint8. */
    DTYPE,
    /** A NaN or infinite feature. */
    NON_FINITE,
    /**
     * No label, or a label outside 0..classes-1; for a regression model no target, or one of the wrong size or not
     * finite.
     */
    LABEL;

    /** The lower-case name used as metric label and in summaries, e.g. {@code feature_count}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The kind of a problem as {@link io.streamlearn.core.example.ExampleSchema} words it; anything it does
     * not recognize is {@link #MALFORMED}.
     */
    public static RejectReason ofSchemaProblem(String problem) {
        if (problem.startsWith("empty record")) {
            return EMPTY;
        }
        if (problem.startsWith("record is ")) {
            return TOO_LARGE;
        }
        if (problem.startsWith("feature count")) {
            return FEATURE_COUNT;
        }
        if (problem.startsWith("dtype")) {
            return DTYPE;
        }
        if (problem.startsWith("feature ")) {
            return NON_FINITE;
        }
        if (problem.startsWith("label") || problem.startsWith("no label") || problem.startsWith("target")
                || problem.startsWith("no target")) {
            return LABEL;
        }
        return MALFORMED;
    }
}
