package io.streamlearn.core.event;

/**
 * A snapshot the trainer could not publish (the store unwritable or full, the models topic unreachable), as it goes
 * on the events topic (keyed by model) through {@link EventCodec}; training goes on and the next checkpoint tries
 * again: {@code {"type":"snapshot_publish_failed","component":"trainer","model":"mlp","checkpoint_id":12,
 * "examples_seen":51200,"reason":"...","time_ms":1700000000000}}.
 *
 * @param model        model name
 * @param component    who failed to publish: {@link PlatformEvent#TRAINER}
 * @param checkpointId the Flink checkpoint whose state was not published
 * @param examplesSeen examples that state was trained on
 * @param reason       the error, with the store or topic it concerns
 * @param timeMs       failure time, epoch milliseconds
 */
public record SnapshotPublishFailedEvent(String model, String component, long checkpointId, long examplesSeen,
        String reason, long timeMs) implements PlatformEvent {
    /** The value of the {@code type} field of these events. */
    public static final String TYPE = "snapshot_publish_failed";

    public SnapshotPublishFailedEvent {
        EventFields.report(TYPE, model, component, reason);
    }

    @Override
    public String type() {
        return TYPE;
    }
}
