package io.streamlearn.core.example;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/** Decodes an example or request from a Kafka value by its {@code content-type} header, sniffing when absent. */
public final class ExampleCodec {
    private ExampleCodec() {}

    /** Decodes {@code value}; {@code contentType} may be null, then the bytes decide. */
    public static Example decode(byte[] value, String contentType) {
        if (value == null || value.length == 0) {
            throw new CodecException("empty record: no example to decode");
        }
        if (contentType == null || contentType.isEmpty()) {
            return ExampleBinaryCodec.hasMagic(value) ? ExampleBinaryCodec.decode(value)
                    : ContentTypes.looksLikeJson(value) ? ExampleJsonCodec.decode(value)
                    : fail("record without a content-type header is neither JSON (starts with '{') nor binary "
                            + "(starts with magic 'SL')");
        }
        String base = contentType.split(";", 2)[0].trim().toLowerCase(java.util.Locale.ROOT);
        return switch (base) {
            case ContentTypes.JSON -> ExampleJsonCodec.decode(value);
            case ContentTypes.EXAMPLE_BINARY -> ExampleBinaryCodec.decode(value);
            default -> fail("unsupported content-type '" + contentType + "', expected " + ContentTypes.JSON
                    + " or " + ContentTypes.EXAMPLE_BINARY);
        };
    }

    /** Decodes a Kafka record value using its headers. */
    public static Example decode(byte[] value, Headers headers) {
        Header h = headers == null ? null : headers.lastHeader(ContentTypes.HEADER);
        return decode(value, h == null ? null : ContentTypes.fromHeader(h.value()));
    }

    private static Example fail(String message) {
        throw new CodecException(message);
    }
}
