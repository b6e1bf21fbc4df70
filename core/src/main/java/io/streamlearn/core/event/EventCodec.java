package io.streamlearn.core.event;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import io.streamlearn.core.example.CodecException;
import io.streamlearn.core.example.ContentTypes;
import io.streamlearn.core.example.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * The one JSON form of {@link PlatformEvent}s: one flat object per event, {@code type} first, snake_case
 * fields. Readers fail on a type they do not know instead of skipping it, so a new kind cannot go unnoticed.
 */
public final class EventCodec {
    /** The {@code type} values this codec reads and writes. */
    public static final List<String> TYPES = List.of(DriftEvent.TYPE, SnapshotRefusedEvent.TYPE,
            SnapshotPublishFailedEvent.TYPE, ChallengerPromotedEvent.TYPE, ChallengerRefusedEvent.TYPE,
            ModelRolledBackEvent.TYPE);

    private EventCodec() {}

    /** The compact JSON of {@code event}. */
    public static byte[] encode(PlatformEvent event) {
        return Json.write(192, g -> {
            g.writeStartObject();
            g.writeStringField("type", event.type());
            g.writeStringField("component", event.component());
            g.writeStringField("model", event.model());
            if (event instanceof DriftEvent d) {
                g.writeStringField("detector", d.detector());
                g.writeStringField("signal", d.signal());
                g.writeNumberField("examples_seen", d.examplesSeen());
                g.writeNumberField("version", d.version());
                g.writeNumberField("estimate", d.estimate());
            } else if (event instanceof SnapshotRefusedEvent r) {
                g.writeNumberField("version", r.version());
                g.writeNumberField("serving_version", r.servingVersion());
                failure(g, r.checkpointId(), r.examplesSeen(), r.reason());
            } else if (event instanceof SnapshotPublishFailedEvent f) {
                failure(g, f.checkpointId(), f.examplesSeen(), f.reason());
            } else if (event instanceof ChallengerPromotedEvent p) {
                comparison(g, p.version(), "champion_version", p.championVersion(), p.labeled(), p.error(),
                        "champion_error", p.championError());
            } else if (event instanceof ChallengerRefusedEvent r) {
                comparison(g, r.version(), "champion_version", r.championVersion(), r.labeled(), r.error(),
                        "champion_error", r.championError());
            } else if (event instanceof ModelRolledBackEvent b) {
                comparison(g, b.version(), "from_version", b.fromVersion(), b.labeled(), b.error(), "previous_error",
                        b.previousError());
            }
            g.writeNumberField("time_ms", event.timeMs());
            g.writeEndObject();
        });
    }

    /**
     * The event in {@code json}.
     *
     * @throws CodecException when it is not a JSON object, its type is not one of {@link #TYPES}, or a required
     *                         field is missing or invalid; callers handle it like any other record that does not
     *                         decode
     */
    public static PlatformEvent decode(byte[] json) {
        JsonNode n = Json.readObject(json, "event", CodecException::new);
        String type = n.path("type").asText();
        try {
            return switch (type) {
                case DriftEvent.TYPE -> new DriftEvent(text(n, type, "model"), text(n, type, "component"),
                        text(n, type, "detector"), text(n, type, "signal"), number(n, type, "examples_seen").asLong(),
                        n.path("version").asLong(0), estimate(n.get("estimate")), n.path("time_ms").asLong(0));
                case SnapshotRefusedEvent.TYPE -> new SnapshotRefusedEvent(text(n, type, "model"),
                        text(n, type, "component"), n.path("version").asLong(0), n.path("serving_version").asLong(0),
                        n.path("checkpoint_id").asLong(-1), n.path("examples_seen").asLong(-1),
                        text(n, type, "reason"), n.path("time_ms").asLong(0));
                case SnapshotPublishFailedEvent.TYPE -> new SnapshotPublishFailedEvent(text(n, type, "model"),
                        text(n, type, "component"), n.path("checkpoint_id").asLong(-1),
                        n.path("examples_seen").asLong(-1), text(n, type, "reason"), n.path("time_ms").asLong(0));
                case ChallengerPromotedEvent.TYPE -> decision(n, type, "champion_version", "champion_error",
                        ChallengerPromotedEvent::new);
                case ChallengerRefusedEvent.TYPE -> decision(n, type, "champion_version", "champion_error",
                        ChallengerRefusedEvent::new);
                case ModelRolledBackEvent.TYPE -> decision(n, type, "from_version", "previous_error",
                        ModelRolledBackEvent::new);
                default -> throw new CodecException("event of unknown type '" + type + "': this reader knows "
                        + TYPES + "; upgrade the reader or fix the writer");
            };
        } catch (IllegalArgumentException e) {
            throw new CodecException("event " + type + ": " + e.getMessage(), e);
        }
    }

    /** The record that puts {@code event} on {@code topic}: keyed by model, with the JSON content-type header. */
    public static ProducerRecord<byte[], byte[]> record(String topic, PlatformEvent event) {
        RecordHeaders h = new RecordHeaders();
        h.add(ContentTypes.HEADER, ContentTypes.JSON.getBytes(StandardCharsets.UTF_8));
        return new ProducerRecord<>(topic, null, event.model().getBytes(StandardCharsets.UTF_8), encode(event), h);
    }

    /** The fields of a snapshot refused or not published: the checkpoint it came from, its examples, and why. */
    private static void failure(JsonGenerator g, long checkpointId, long examplesSeen, String reason)
            throws IOException {
        g.writeNumberField("checkpoint_id", checkpointId);
        g.writeNumberField("examples_seen", examplesSeen);
        g.writeStringField("reason", reason);
    }

    /** The fields of a monitor's decision: the two versions compared, over how many labels, and their errors. */
    private static void comparison(JsonGenerator g, long version, String otherName,
            long other, long labeled, double error, String otherErrorName, double otherError) throws IOException {
        g.writeNumberField("version", version);
        g.writeNumberField(otherName, other);
        g.writeNumberField("labeled", labeled);
        g.writeNumberField("error", error);
        g.writeNumberField(otherErrorName, otherError);
    }

    /** The constructor of one kind of monitor decision, from the fields every kind has. */
    private interface Decision {
        PlatformEvent of(String model, String component, long version, long other, long labeled, double error,
                double otherError, long timeMs);
    }

    /** The decision in {@code n}: the fields {@link #comparison} writes, read back, required ones checked. */
    private static PlatformEvent decision(JsonNode n, String type, String otherName, String otherErrorName,
            Decision kind) {
        return kind.of(text(n, type, "model"), text(n, type, "component"), number(n, type, "version").asLong(),
                number(n, type, otherName).asLong(), n.path("labeled").asLong(0), estimate(n.get("error")),
                estimate(n.get(otherErrorName)), n.path("time_ms").asLong(0));
    }

    private static String text(JsonNode n, String type, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            throw new CodecException("event " + type + ": missing required field '" + field + "'");
        }
        return v.asText();
    }

    private static JsonNode number(JsonNode n, String type, String field) {
        JsonNode v = n.get(field);
        if (v == null || !v.isNumber()) {
            throw new CodecException("event " + type + ": missing or non-numeric field '" + field + "'");
        }
        return v;
    }

    private static double estimate(JsonNode v) {
        return v == null || !v.isNumber() ? Double.NaN : v.asDouble();
    }
}
