package io.streamlearn.ingest.source;

import io.streamlearn.core.example.Example;

/**
 * One item a source read: either a parsed {@link Example}, or the bytes of input that could not be parsed
 * and why. {@code original} is what the source read (a JSON or CSV line, the bytes of a truncated image),
 * kept so a rejected record reaches the dead-letter topic as it was; null for generated examples, whose
 * encoded value is their original.
 *
 * @param example     the parsed example, or null when malformed
 * @param original    the bytes as read, or null when the example was generated
 * @param contentType media type of {@code original} (e.g. application/json, text/csv), null with it
 * @param position    where it was read, e.g. "train.csv line 12"
 * @param problem     why it could not be parsed, or null when parsed
 */
public record SourceRecord(Example example, byte[] original, String contentType, String position, String problem) {

    public SourceRecord {
        if (position == null || position.isEmpty()) {
            throw new IllegalArgumentException("source record needs a position (file and line or index)");
        }
        if ((example == null) == (problem == null)) {
            throw new IllegalArgumentException(position + ": a source record is either parsed (example) or "
                    + "malformed (problem), got example=" + example + " problem=" + problem);
        }
        if (problem != null && original == null) {
            throw new IllegalArgumentException(position + ": a malformed record must keep its original bytes");
        }
        if ((original == null) != (contentType == null)) {
            throw new IllegalArgumentException(position + ": original bytes and their content type go together");
        }
    }

    /** A parsed example; {@code original} and {@code contentType} may both be null for a generated one. */
    public static SourceRecord parsed(Example example, byte[] original, String contentType, String position) {
        return new SourceRecord(example, original, contentType, position, null);
    }

    /** Input that could not be parsed, with its original bytes. */
    public static SourceRecord malformed(byte[] original, String contentType, String position, String problem) {
        return new SourceRecord(null, original, contentType, position, problem);
    }

    /** Whether this item could not be parsed into an example. */
    public boolean isMalformed() {
        return problem != null;
    }
}
