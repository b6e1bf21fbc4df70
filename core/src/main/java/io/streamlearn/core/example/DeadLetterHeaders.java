package io.streamlearn.core.example;

/**
 * Headers every dead-letter record carries (examples.dlq, predictions.dlq), beside the original key,
 * value and headers: why it was rejected and where it came from.
 */
public final class DeadLetterHeaders {
    /** Human-readable reason, e.g. "feature count 783, expected 784". */
    public static final String REASON = "streamlearn.error.reason";
    /** Source position: "topic/partition/offset", or "file line N" for ingest. */
    public static final String SOURCE = "streamlearn.error.source";
    /** On a capped dead letter: the original value's length in bytes (decimal). */
    public static final String ORIGINAL_BYTES = "streamlearn.error.original-bytes";
    /** On a capped dead letter: the hex sha256 of the whole original value, to match it with the source. */
    public static final String ORIGINAL_SHA256 = "streamlearn.error.original-sha256";

    private DeadLetterHeaders() {}
}
