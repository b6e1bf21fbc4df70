package io.streamlearn.serving.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.streamlearn.core.example.CodecException;
import io.streamlearn.core.example.ContentTypes;
import io.streamlearn.core.example.Example;
import io.streamlearn.core.example.ExampleCodec;
import io.streamlearn.core.example.ExampleJsonCodec;
import io.streamlearn.core.example.Json;
import io.streamlearn.core.prediction.Prediction;
import io.streamlearn.core.prediction.PredictionJsonCodec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The bodies of {@code /v1/predict}: requests in (one, or a JSON array), predictions out in the same shape. */
final class PredictBodies {
    private PredictBodies() {}

    /** The JSON answer of one call and the version that computed it. */
    record Answer(long version, byte[] json) {}

    /** One prediction as a JSON object, or a JSON array when the call sent an array. */
    static Answer answer(byte[] body, String contentType, List<Prediction> predictions) {
        byte[] out;
        if (isArray(body, contentType)) {
            ByteArrayOutputStream buf = new ByteArrayOutputStream(predictions.size() * 128 + 2);
            buf.write('[');
            for (int i = 0; i < predictions.size(); i++) {
                if (i > 0) {
                    buf.write(',');
                }
                buf.writeBytes(PredictionJsonCodec.encode(predictions.get(i)));
            }
            buf.write(']');
            out = buf.toByteArray();
        } else {
            out = PredictionJsonCodec.encode(predictions.get(0));
        }
        return new Answer(predictions.get(0).version(), out);
    }

    /** The requests of one call: one JSON or binary request, or a JSON array of up to HttpEndpoint.MAX_ROWS. */
    static List<Example> decode(byte[] body, String contentType) {
        if (body.length == 0) {
            throw new HttpStatusException(400, "empty body: send a JSON request {\"id\":\"r1\",\"features\":[...]} "
                    + "or a JSON array of them");
        }
        try {
            if (!isArray(body, contentType)) {
                return List.of(ExampleCodec.decode(body, contentType));
            }
            JsonNode array = Json.MAPPER.readTree(body);
            if (array.size() == 0 || array.size() > HttpEndpoint.MAX_ROWS) {
                throw new HttpStatusException(400, "a JSON array of " + array.size() + " requests, must hold 1.."
                        + HttpEndpoint.MAX_ROWS);
            }
            List<Example> out = new ArrayList<>(array.size());
            for (int i = 0; i < array.size(); i++) {
                try {
                    out.add(ExampleJsonCodec.decode(Json.MAPPER.writeValueAsBytes(array.get(i))));
                } catch (CodecException e) {
                    throw new HttpStatusException(400, "request " + i + ": " + e.getMessage());
                }
            }
            return out;
        } catch (CodecException e) {
            throw new HttpStatusException(e.getMessage().startsWith("unsupported content-type") ? 415 : 400,
                    e.getMessage());
        } catch (JsonProcessingException e) {
            throw new HttpStatusException(400, "not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean isArray(byte[] body, String contentType) {
        if (contentType != null && !contentType.toLowerCase(Locale.ROOT).startsWith(ContentTypes.JSON)) {
            return false;
        }
        for (byte b : body) {
            if (!Character.isWhitespace(b)) {
                return b == '[';
            }
        }
        return false;
    }
}
