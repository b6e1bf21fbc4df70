package io.streamlearn.core.example;

import java.nio.charset.StandardCharsets;

/** The {@code content-type} header values streamlearn writes and understands, and the sniffing rule. */
public final class ContentTypes {
    /** Kafka header that names the value's encoding. */
    public static final String HEADER = "content-type";
    /** JSON for any producer in any language. */
    public static final String JSON = "application/json";
    /** The compact binary layout of {@link ExampleBinaryCodec}. */
    public static final String EXAMPLE_BINARY = "application/vnd.streamlearn.example.v1";
    /** The compact binary layout of {@link io.streamlearn.core.prediction.PredictionBinaryCodec}. */
    public static final String PREDICTION_BINARY = "application/vnd.streamlearn.prediction.v1";

    private ContentTypes() {}

    /** The header value as a string, or null when the header is absent. */
    public static String fromHeader(byte[] headerValue) {
        return headerValue == null ? null : new String(headerValue, StandardCharsets.UTF_8).trim();
    }

    /** Whether a value without a header looks like JSON: its first non-blank byte is '{'. */
    public static boolean looksLikeJson(byte[] value) {
        for (byte b : value) {
            if (b == ' ' || b == '\n' || b == '\r' || b == '\t') {
                continue;
            }
            return b == '{';
        }
        return false;
    }
}
