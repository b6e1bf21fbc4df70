package io.streamlearn.monitor.quality;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamlearn.core.example.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * A late ground-truth label on the feedback topic, keyed by the request id:
 * {@code {"id":"r1","label":3}} (the record key is used when {@code id} is absent).
 *
 * @param id    the id of the request the label belongs to
 * @param label the true class index, >= 0
 */
public record Feedback(String id, int label) {
    public Feedback {
        if (id == null || id.isEmpty()) {
            throw new IllegalArgumentException("feedback without an id: key the record by the request id or put "
                    + "\"id\" in the value");
        }
        if (label < 0) {
            throw new IllegalArgumentException("feedback for " + id + ": label " + label + " must be >= 0");
        }
    }

    /** The JSON value on the feedback topic. */
    public byte[] toJsonBytes() {
        try {
            return Json.MAPPER.writer().without(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsBytes(java.util.Map.of("id", id, "label", label));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Decodes a feedback record.
     *
     * @throws IllegalArgumentException naming what is missing or wrong
     */
    public static Feedback decode(byte[] key, byte[] value) {
        if (value == null || value.length == 0) {
            throw new IllegalArgumentException("empty feedback record: expected {\"id\":...,\"label\":...}");
        }
        JsonNode n;
        try {
            n = Json.MAPPER.readTree(value);
        } catch (IOException e) {
            throw new IllegalArgumentException("feedback: not valid JSON: " + e.getMessage(), e);
        }
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException("feedback: expected a JSON object {\"id\":...,\"label\":...}");
        }
        JsonNode label = n.get("label");
        if (label == null || !label.canConvertToInt() || !label.isIntegralNumber()) {
            throw new IllegalArgumentException("feedback: missing or non-integer \"label\"");
        }
        JsonNode id = n.get("id");
        String ids = id != null && !id.isNull() ? id.asText() : key == null ? null : new String(key, StandardCharsets.UTF_8);
        return new Feedback(ids, label.asInt());
    }
}
