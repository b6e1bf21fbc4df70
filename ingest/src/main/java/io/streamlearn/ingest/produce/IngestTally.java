package io.streamlearn.ingest.produce;

import io.streamlearn.ingest.validate.RejectReason;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * The counters of one ingest run, told to its {@link IngestObserver} as they move. Updated from the reading
 * thread and from the producer's I/O thread, readable from any thread.
 */
final class IngestTally {
    private final IngestObserver observer;
    private final LongAdder read = new LongAdder();
    private final LongAdder sent = new LongAdder();
    private final LongAdder rejected = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final LongAdder bytesSent = new LongAdder();
    private final LongAdder bytesRejected = new LongAdder();
    private final EnumMap<RejectReason, LongAdder> byReason = new EnumMap<>(RejectReason.class);
    private final AtomicReference<Exception> firstFailure = new AtomicReference<>();

    IngestTally(IngestObserver observer) {
        this.observer = observer;
        // Filled once here, so the producer's thread only reads the map.
        for (RejectReason r : RejectReason.values()) {
            byReason.put(r, new LongAdder());
        }
    }

    void read() {
        read.increment();
        observer.onRead();
    }

    void sent(int valueBytes) {
        sent.increment();
        bytesSent.add(valueBytes);
        observer.onSent(valueBytes);
    }

    void rejected(RejectReason reason, int valueBytes) {
        rejected.increment();
        byReason.get(reason).increment();
        bytesRejected.add(valueBytes);
        observer.onRejected(reason, valueBytes);
    }

    /** A send the broker did not acknowledge; the first such failure is kept for {@link #firstFailure()}. */
    void failed(Exception ex) {
        failed.increment();
        firstFailure.compareAndSet(null, ex);
    }

    /** A send that failed before it reached the producer, already thrown to the caller. */
    void failedToSend() {
        failed.increment();
    }

    /** The first unacknowledged send, or null. */
    Exception firstFailure() {
        return firstFailure.get();
    }

    IngestCounts snapshot(long elapsedNanos, long expected) {
        Map<RejectReason, Long> reasons = new EnumMap<>(RejectReason.class);
        byReason.forEach((r, n) -> {
            long v = n.sum();
            if (v > 0) {
                reasons.put(r, v);
            }
        });
        return new IngestCounts(read.sum(), sent.sum(), rejected.sum(), failed.sum(), bytesSent.sum(),
                bytesRejected.sum(), reasons, elapsedNanos, expected);
    }
}
