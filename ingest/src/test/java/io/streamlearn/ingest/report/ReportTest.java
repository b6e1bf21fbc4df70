package io.streamlearn.ingest.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.client.CollectorRegistry;
import io.streamlearn.ingest.produce.IngestCounts;
import io.streamlearn.ingest.validate.RejectReason;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReportTest {
    private static final IngestCounts HALF = new IngestCounts(30_000, 29_990, 10, 0, 24_000_000, 500,
            Map.of(RejectReason.LABEL, 7L, RejectReason.NON_FINITE, 3L), 2_000_000_000L, 60_000);

    @Test
    void barShowsShareReadAndEveryOutcome() {
        assertThat(ProgressReporter.bar(HALF, 15_000)).isEqualTo("[###############...............]  50% "
                + "30,000/60,000 read, 29,990 sent, 10 rejected, 15,000 rec/s, 12.0 MB/s");
        assertThat(ProgressReporter.line(HALF, 15_000)).isEqualTo("ingest: 2.0 s, read 30000 of 60000, sent 29990, "
                + "rejected 10, 15000 records/s, 12.0 MB/s");
    }

    @Test
    void summaryNamesRejectReasonsAndTheLabelMapping() {
        String s = Summary.format("csv:x.csv", "streamlearn.examples", "streamlearn.examples.dlq", HALF,
                List.of("rose", "tulip"));
        assertThat(s).contains("read         30000", "sent         29990   24.0 MB, 12.0 MB/s, 15000 records/s",
                "rejected        10   -> streamlearn.examples.dlq (non_finite: 3, label: 7)", "labels   rose=0, tulip=1");
    }

    @Test
    void metricsCountIntoThePrivateRegistryAndLeaveItOnClose() {
        CollectorRegistry registry = new CollectorRegistry();
        try (IngestMetrics m = new IngestMetrics(registry)) {
            m.onRead();
            m.onRead();
            m.onSent(100);
            m.onRejected(RejectReason.EMPTY, 0);
            m.setRate(42);
            assertThat(IngestSamples.records(registry, "read")).isEqualTo(2.0);
            assertThat(IngestSamples.bytes(registry, "sent")).isEqualTo(100.0);
            assertThat(IngestSamples.rejected(registry, "empty")).isEqualTo(1.0);
            assertThat(registry.getSampleValue("streamlearn_ingest_records_per_second")).isEqualTo(42.0);
        }
        assertThat(registry.getSampleValue("streamlearn_ingest_records_per_second")).isNull();
    }
}
