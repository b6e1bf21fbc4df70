package io.streamlearn.core.drift;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import io.streamlearn.core.example.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A detected drift, as it goes on the events topic (keyed by model):
 * {@code {"type":"drift","component":"trainer","model":"mlp","detector":"adwin","signal":"prequential_error",
 * "examples_seen":51200,"version":7,"estimate":0.31,"time_ms":1700000000000}}.
 *
 * @param model        model name
 * @param component    who detected it: {@code trainer} or {@code monitor}
 * @param detector     {@link DriftDetector#name()}
 * @param signal       the stream watched, e.g. {@value #PREQUENTIAL_ERROR} or {@value #SERVED_ERROR}
 * @param examplesSeen position in the stream: examples the trainer had seen, or labeled predictions the monitor
 *                     had joined, when the change was detected
 * @param version      model version current at detection, 0 when none
 * @param estimate     the detector's estimate of the signal's mean right after the change, NaN when unknown
 * @param timeMs       detection time, epoch milliseconds
 */
public record DriftEvent(String model, String component, String detector, String signal, long examplesSeen,
        long version, double estimate, long timeMs) {
    /** The value of the {@code type} field of drift events. */
    public static final String TYPE = "drift";
    /** Signal: the trainer's test-then-train error, 1 per wrongly predicted example, else 0. */
    public static final String PREQUENTIAL_ERROR = "prequential_error";
    /** Signal: serving's error on predictions whose late label arrived on the feedback topic. */
    public static final String SERVED_ERROR = "served_error";

    public DriftEvent {
        if (model == null || model.isEmpty()) {
            throw new IllegalArgumentException("drift event without a model name");
        }
        if (component == null || detector == null || signal == null) {
            throw new IllegalArgumentException("drift event of " + model + ": component, detector and signal are "
                    + "required");
        }
        if (examplesSeen < 0 || version < 0) {
            throw new IllegalArgumentException("drift event of " + model + ": examples_seen " + examplesSeen
                    + " and version " + version + " must be >= 0");
        }
    }

    public byte[] toJsonBytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(192);
        try (JsonGenerator g = Json.FACTORY.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("type", TYPE);
            g.writeStringField("component", component);
            g.writeStringField("model", model);
            g.writeStringField("detector", detector);
            g.writeStringField("signal", signal);
            g.writeNumberField("examples_seen", examplesSeen);
            g.writeNumberField("version", version);
            g.writeNumberField("estimate", estimate);
            g.writeNumberField("time_ms", timeMs);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /**
     * The drift event in {@code json}.
     *
     * @throws IllegalArgumentException when it is not JSON, not a drift event ({@code type} other than
     *                                  {@value #TYPE}) or misses a field
     */
    public static DriftEvent fromJson(byte[] json) {
        JsonNode n;
        try {
            n = Json.MAPPER.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("drift event: not valid JSON: " + e.getMessage(), e);
        }
        if (n == null || !n.isObject() || !TYPE.equals(n.path("type").asText())) {
            throw new IllegalArgumentException("drift event: expected an object with \"type\":\"" + TYPE + "\"");
        }
        for (String f : new String[] {"model", "component", "detector", "signal", "examples_seen"}) {
            if (n.get(f) == null || n.get(f).isNull()) {
                throw new IllegalArgumentException("drift event: missing required field '" + f + "'");
            }
        }
        JsonNode estimate = n.get("estimate");
        return new DriftEvent(n.get("model").asText(), n.get("component").asText(), n.get("detector").asText(),
                n.get("signal").asText(), n.get("examples_seen").asLong(), n.path("version").asLong(0),
                estimate == null || !estimate.isNumber() ? Double.NaN : estimate.asDouble(),
                n.path("time_ms").asLong(0));
    }

    /** Whether {@code json} (an events-topic value) is a drift event, without decoding it fully. */
    public static boolean isDriftEvent(byte[] json) {
        try {
            JsonNode n = Json.MAPPER.readTree(json);
            return n != null && TYPE.equals(n.path("type").asText());
        } catch (IOException e) {
            return false;
        }
    }
}
