package io.streamlearn.core.prediction;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamlearn.core.example.CodecException;
import io.streamlearn.core.example.Json;
import java.util.ArrayList;
import java.util.List;

/**
 * The JSON form of a {@link Prediction}:
 * {@code {"id":"r1","label":3,"scores":[{"label":3,"p":0.91}],"model":"mlp","version":7,"latency_ms":1.8}};
 * a regression model's adds {@code "value":2.5} (a number, or an array for a vector target) with label -1.
 */
public final class PredictionJsonCodec {
    private PredictionJsonCodec() {}

    public static byte[] encode(Prediction p) {
        return Json.writeShortestFloats(128, g -> {
            g.writeStartObject();
            g.writeStringField("id", p.id());
            g.writeNumberField("label", p.label());
            g.writeArrayFieldStart("scores");
            for (Prediction.Score s : p.scores()) {
                g.writeStartObject();
                g.writeNumberField("label", s.label());
                g.writeNumberField("p", s.probability());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeStringField("model", p.model());
            g.writeNumberField("version", p.version());
            g.writeNumberField("latency_ms", p.latencyMs());
            if (p.hasValue()) {
                Json.writeNumberOrArray(g, "value", p.value());
            }
            g.writeEndObject();
        });
    }

    public static Prediction decode(byte[] value) {
        JsonNode n = Json.readObject(value, "JSON prediction", CodecException::new);
        List<Prediction.Score> scores = new ArrayList<>();
        for (JsonNode s : n.path("scores")) {
            scores.add(new Prediction.Score(s.path("label").asInt(), (float) s.path("p").asDouble()));
        }
        try {
            return new Prediction(required(n, "id").asText(), required(n, "label").asInt(), scores,
                    required(n, "model").asText(), required(n, "version").asLong(),
                    (float) n.path("latency_ms").asDouble(),
                    Json.readNumberOrArray(n, "value", "JSON prediction", CodecException::new));
        } catch (IllegalArgumentException e) {
            throw new CodecException("JSON prediction: " + e.getMessage(), e);
        }
    }

    private static JsonNode required(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            throw new CodecException("JSON prediction: missing required field '" + field + "'");
        }
        return v;
    }
}
