package io.streamlearn.core.feedback;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamlearn.core.example.Json;
import java.nio.charset.StandardCharsets;

/**
 * The JSON form of {@link Feedback} on the feedback topic: {@code {"id":"r1","label":3}}, or
 * {@code {"id":"r1","target":2.5}} ({@code target} a number or an array) for a regression model; when {@code id} is
 * absent the record key (the request id) is used, so producers in any language may send only the label.
 */
public final class FeedbackJsonCodec {
    private FeedbackJsonCodec() {}

    /** The compact JSON value of {@code f}. */
    public static byte[] encode(Feedback f) {
        return Json.write(32 + f.id().length(), g -> {
            g.writeStartObject();
            g.writeStringField("id", f.id());
            if (f.hasTarget()) {
                Json.writeNumberOrArray(g, "target", f.target());
            } else {
                g.writeNumberField("label", f.label());
            }
            g.writeEndObject();
        });
    }

    /**
     * Decodes a feedback record.
     *
     * @param key   the record key, the request id when the value has no {@code id}; may be null
     * @param value the record value
     * @throws IllegalArgumentException naming what is missing or wrong
     */
    public static Feedback decode(byte[] key, byte[] value) {
        JsonNode n = Json.readObject(value, "feedback", IllegalArgumentException::new);
        float[] target = Json.readNumberOrArray(n, "target", "feedback", IllegalArgumentException::new);
        JsonNode label = n.get("label");
        if (target == null && (label == null || !label.canConvertToInt() || !label.isIntegralNumber())) {
            throw new IllegalArgumentException("feedback: missing or non-integer \"label\" (or a numeric \"target\" "
                    + "for a regression model)");
        }
        JsonNode id = n.get("id");
        String ids = id != null && !id.isNull() ? id.asText()
                : key == null ? null : new String(key, StandardCharsets.UTF_8);
        return target != null ? new Feedback(ids, Feedback.NO_LABEL, target) : new Feedback(ids, label.asInt());
    }
}
