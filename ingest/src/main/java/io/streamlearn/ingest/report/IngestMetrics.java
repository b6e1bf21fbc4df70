package io.streamlearn.ingest.report;

import io.prometheus.client.Collector;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.Counter;
import io.prometheus.client.Gauge;
import io.streamlearn.ingest.produce.IngestObserver;
import io.streamlearn.ingest.validate.RejectReason;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The Prometheus metrics of ingest, registered into the registry it is given (tests pass a private one):
 * {@code streamlearn_ingest_records_total{outcome="read|sent|rejected"}},
 * {@code streamlearn_ingest_rejected_records_total{reason}}, {@code streamlearn_ingest_bytes_total{outcome}}
 * and the gauge {@code streamlearn_ingest_records_per_second}.
 */
public final class IngestMetrics implements IngestObserver, AutoCloseable {
    private final CollectorRegistry registry;
    private final Counter.Child read;
    private final Counter.Child sent;
    private final Counter.Child rejected;
    private final Counter.Child bytesSent;
    private final Counter.Child bytesRejected;
    private final Map<RejectReason, Counter.Child> byReason = new EnumMap<>(RejectReason.class);
    private final Gauge rate;
    private final List<Collector> all;

    public IngestMetrics(CollectorRegistry registry) {
        this.registry = registry;
        Counter records = Counter.build("streamlearn_ingest_records_total",
                "Records handled by ingest, by outcome: read from the source, sent (acknowledged on the examples "
                        + "topic) or rejected (acknowledged on the dead-letter topic). read = sent + rejected once "
                        + "a run has flushed.").labelNames("outcome").create();
        Counter reasons = Counter.build("streamlearn_ingest_rejected_records_total",
                "Records ingest sent to the dead-letter topic, by reason.").labelNames("reason").create();
        Counter bytes = Counter.build("streamlearn_ingest_bytes_total",
                "Value bytes acknowledged by the broker (before compression), by outcome: sent or rejected.")
                .labelNames("outcome").create();
        this.rate = Gauge.build("streamlearn_ingest_records_per_second",
                "Records read per second over the last progress interval.").create();
        this.read = records.labels("read");
        this.sent = records.labels("sent");
        this.rejected = records.labels("rejected");
        this.bytesSent = bytes.labels("sent");
        this.bytesRejected = bytes.labels("rejected");
        for (RejectReason r : RejectReason.values()) {
            byReason.put(r, reasons.labels(r.label()));
        }
        this.all = List.of(records, reasons, bytes, rate);
        for (Collector c : all) {
            registry.register(c);
        }
    }

    @Override
    public void onRead() {
        read.inc();
    }

    @Override
    public void onSent(int valueBytes) {
        sent.inc();
        bytesSent.inc(valueBytes);
    }

    @Override
    public void onRejected(RejectReason reason, int valueBytes) {
        rejected.inc();
        byReason.get(reason).inc();
        bytesRejected.inc(valueBytes);
    }

    /** Sets the records-per-second gauge. */
    public void setRate(double recordsPerSecond) {
        rate.set(recordsPerSecond);
    }

    /** Removes these metrics from the registry. */
    @Override
    public void close() {
        for (Collector c : all) {
            registry.unregister(c);
        }
    }
}
