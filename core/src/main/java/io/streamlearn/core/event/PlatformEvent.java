package io.streamlearn.core.event;

/**
 * An event on the events topic, keyed by its model; {@link EventCodec} writes and reads every kind. A new kind
 * is a new record here, permitted below and handled in the codec, so no component invents its own JSON.
 */
public sealed interface PlatformEvent permits DriftEvent, SnapshotRefusedEvent, SnapshotPublishFailedEvent,
        ChallengerPromotedEvent, ChallengerRefusedEvent, ModelRolledBackEvent {
    /** Component name of the trainer job. */
    String TRAINER = "trainer";
    /** Component name of serving. */
    String SERVING = "serving";
    /** Component name of the served-quality monitor. */
    String MONITOR = "monitor";

    /** The {@code type} field that tells the kinds apart on the topic. */
    String type();

    /** The model the event is about; also the record key. */
    String model();

    /** Who wrote the event: {@link #TRAINER}, {@link #SERVING} or {@link #MONITOR}. */
    String component();

    /** When it happened, epoch milliseconds. */
    long timeMs();
}
