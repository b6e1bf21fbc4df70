package io.streamlearn.core.prediction;

import io.streamlearn.core.example.CodecException;
import io.streamlearn.core.example.ContentTypes;
import java.util.Locale;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * Decodes a prediction from a predictions-topic value by its {@code content-type} header, sniffing when absent:
 * the binary layout starts with magic 'SP', anything else is read as JSON.
 */
public final class PredictionCodec {
    private PredictionCodec() {}

    /** Decodes {@code value}; {@code contentType} may be null, then the bytes decide. */
    public static Prediction decode(byte[] value, String contentType) {
        if (contentType == null || contentType.isEmpty()) {
            return PredictionBinaryCodec.hasMagic(value) ? PredictionBinaryCodec.decode(value)
                    : PredictionJsonCodec.decode(value);
        }
        String base = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        return switch (base) {
            case ContentTypes.PREDICTION_BINARY -> PredictionBinaryCodec.decode(value);
            case ContentTypes.JSON -> PredictionJsonCodec.decode(value);
            default -> throw new CodecException("unsupported prediction content-type '" + contentType + "', expected "
                    + ContentTypes.JSON + " or " + ContentTypes.PREDICTION_BINARY);
        };
    }

    /** Decodes a Kafka record value using its headers. */
    public static Prediction decode(byte[] value, Headers headers) {
        Header h = headers == null ? null : headers.lastHeader(ContentTypes.HEADER);
        return decode(value, h == null ? null : ContentTypes.fromHeader(h.value()));
    }
}
