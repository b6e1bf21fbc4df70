package io.streamlearn.ingest.produce;

import io.streamlearn.ingest.validate.RejectReason;

/**
 * Told about every record as an ingest run goes (metrics). Called from the reading thread and from the
 * Kafka producer's I/O thread, so implementations must be thread-safe and cheap.
 */
public interface IngestObserver {
    /** Does nothing. */
    IngestObserver NONE = new IngestObserver() {};

    /** A record was taken from the source. */
    default void onRead() {}

    /** A record was acknowledged on the target topic. */
    default void onSent(int valueBytes) {}

    /** A record was acknowledged on the dead-letter topic. */
    default void onRejected(RejectReason reason, int valueBytes) {}
}
