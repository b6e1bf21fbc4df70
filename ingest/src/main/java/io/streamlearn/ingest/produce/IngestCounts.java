package io.streamlearn.ingest.produce;

import io.streamlearn.ingest.validate.RejectReason;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * What an ingest run has done so far, or in total: records read, acknowledged on the topic (sent), on the
 * dead-letter topic (rejected) and lost to a send failure. A finished run that did not fail has
 * {@code read == sent + rejected}.
 *
 * @param read             records taken from the source
 * @param sent             acknowledged by the broker on the target topic
 * @param rejected         acknowledged on the dead-letter topic
 * @param failed           whose send failed (only when the run fails)
 * @param bytesSent        value bytes acknowledged on the target topic (before compression)
 * @param bytesRejected    value bytes acknowledged on the dead-letter topic
 * @param rejectedByReason rejected records per reason
 * @param elapsedNanos     time since the run started
 * @param expected         records the run expects to read, or -1 when unknown
 */
public record IngestCounts(long read, long sent, long rejected, long failed, long bytesSent, long bytesRejected,
        Map<RejectReason, Long> rejectedByReason, long elapsedNanos, long expected) {

    public IngestCounts {
        if (read < 0 || sent < 0 || rejected < 0 || failed < 0 || bytesSent < 0 || bytesRejected < 0 || elapsedNanos < 0) {
            throw new IllegalArgumentException("ingest counts are never negative: read=" + read + " sent=" + sent
                    + " rejected=" + rejected + " failed=" + failed);
        }
        EnumMap<RejectReason, Long> copy = new EnumMap<>(RejectReason.class);
        if (rejectedByReason != null) {
            copy.putAll(rejectedByReason);
        }
        rejectedByReason = Collections.unmodifiableMap(copy);
    }

    /** Records read but neither acknowledged nor failed yet. */
    public long pending() {
        return read - sent - rejected - failed;
    }

    /** Records taken from the source per second of the run. */
    public double recordsPerSecond() {
        return elapsedNanos == 0 ? 0 : read * 1e9 / elapsedNanos;
    }

    /** Sent value megabytes (10^6 bytes) per second of the run. */
    public double megabytesPerSecond() {
        return elapsedNanos == 0 ? 0 : bytesSent * 1e3 / elapsedNanos;
    }

    /** Rejected records of one reason. */
    public long rejected(RejectReason reason) {
        return rejectedByReason.getOrDefault(reason, 0L);
    }
}
