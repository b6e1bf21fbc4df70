package io.streamlearn.ingest.validate;

import io.streamlearn.core.example.CodecException;
import io.streamlearn.core.example.Example;
import io.streamlearn.core.example.ExampleSchema;
import io.streamlearn.ingest.source.SourceRecord;
import java.util.function.Function;

/**
 * Validates a source record against the declared {@link ExampleSchema}, the same checks the trainer's
 * decoder applies: size cap and emptiness of the input, parse errors, feature count, dtype, finite values,
 * label range, then the size cap of the encoded value.
 */
public final class RecordCheck {
    private final ExampleSchema schema;
    private final Function<Example, byte[]> encoder;
    private final String encodedContentType;

    /**
     * @param schema             what a valid example looks like
     * @param encoder            the wire encoding of an accepted example
     * @param encodedContentType its content type (kept on dead letters of generated examples)
     */
    public RecordCheck(ExampleSchema schema, Function<Example, byte[]> encoder, String encodedContentType) {
        if (schema == null || encoder == null || encodedContentType == null) {
            throw new IllegalArgumentException("a record check needs a schema, an encoder and its content type");
        }
        this.schema = schema;
        this.encoder = encoder;
        this.encodedContentType = encodedContentType;
    }

    public ExampleSchema schema() {
        return schema;
    }

    /** The verdict on {@code r}; never throws for bad data. */
    public Verdict check(SourceRecord r) {
        if (r.original() != null) {
            String p = schema.recordProblem(r.original());
            if (p != null) {
                return reject(RejectReason.ofSchemaProblem(p), p, r, null);
            }
        }
        if (r.isMalformed()) {
            return new Verdict.Rejected(RejectReason.MALFORMED, r.problem(), null, r.original(), r.contentType(),
                    r.position());
        }
        Example e = r.example();
        String p = schema.problem(e);
        if (p != null) {
            return reject(RejectReason.ofSchemaProblem(p), "example " + e.id() + ": " + p, r, null);
        }
        byte[] value;
        try {
            value = encoder.apply(e);
        } catch (CodecException ex) {
            return reject(RejectReason.MALFORMED, "example " + e.id() + ": " + ex.getMessage(), r, null);
        }
        p = schema.recordProblem(value);
        if (p != null) {
            return reject(RejectReason.ofSchemaProblem(p), "example " + e.id() + ": encoded " + p, r, value);
        }
        return new Verdict.Accepted(e.id(), value);
    }

    private Verdict.Rejected reject(RejectReason reason, String message, SourceRecord r, byte[] encoded) {
        String key = r.example() == null ? null : r.example().id();
        if (r.original() != null) {
            return new Verdict.Rejected(reason, message, key, r.original(), r.contentType(), r.position());
        }
        byte[] bytes = encoded;
        if (bytes == null) {
            try {
                bytes = encoder.apply(r.example());
            } catch (CodecException ex) {
                bytes = new byte[0];
            }
        }
        return new Verdict.Rejected(reason, message, key, bytes, encodedContentType, r.position());
    }
}
