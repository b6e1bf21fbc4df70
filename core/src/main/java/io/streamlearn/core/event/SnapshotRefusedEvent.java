package io.streamlearn.core.event;

/**
 * A snapshot that will not be served, as it goes on the events topic (keyed by model) through
 * {@link EventCodec}. The trainer's quality gate refuses a checkpoint's state before it has a version;
 * serving refuses a published version it cannot load or whose contract differs from the one it serves:
 * {@code {"type":"snapshot_refused","component":"serving","model":"mlp","version":2,"serving_version":1,
 * "checkpoint_id":-1,"examples_seen":-1,"reason":"...","time_ms":1700000000000}}.
 *
 * @param model          model name
 * @param component      who refused it: {@link PlatformEvent#TRAINER} or {@link PlatformEvent#SERVING}
 * @param version        the refused version, 0 when refused before it had one (the trainer's gate)
 * @param servingVersion the version serving keeps serving, 0 when none or not serving's refusal
 * @param checkpointId   the Flink checkpoint whose state was refused, -1 when not the trainer's
 * @param examplesSeen   examples the refused state was trained on, -1 when unknown
 * @param reason         why, with the remedy
 * @param timeMs         refusal time, epoch milliseconds
 */
public record SnapshotRefusedEvent(String model, String component, long version, long servingVersion,
        long checkpointId, long examplesSeen, String reason, long timeMs) implements PlatformEvent {
    /** The value of the {@code type} field of refusal events. */
    public static final String TYPE = "snapshot_refused";

    public SnapshotRefusedEvent {
        EventFields.report(TYPE, model, component, reason);
        if (version < 0 || servingVersion < 0) {
            throw new IllegalArgumentException("snapshot_refused event of " + model + ": version " + version
                    + " and serving_version " + servingVersion + " must be >= 0");
        }
    }

    /** The trainer's quality gate refused the state of checkpoint {@code checkpointId}; it never got a version. */
    public static SnapshotRefusedEvent byTrainer(String model, long checkpointId, long examplesSeen, String reason,
            long timeMs) {
        return new SnapshotRefusedEvent(model, TRAINER, 0, 0, checkpointId, examplesSeen, reason, timeMs);
    }

    /** Serving refused published {@code version} and keeps {@code servingVersion} (0: nothing) serving. */
    public static SnapshotRefusedEvent byServing(String model, long version, long servingVersion, String reason,
            long timeMs) {
        return new SnapshotRefusedEvent(model, SERVING, version, servingVersion, -1, -1, reason, timeMs);
    }

    @Override
    public String type() {
        return TYPE;
    }
}
