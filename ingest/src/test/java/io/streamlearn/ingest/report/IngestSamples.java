package io.streamlearn.ingest.report;

import io.prometheus.client.CollectorRegistry;

/** The samples of {@link IngestMetrics} in a test's private registry, by the one label each metric has. */
public final class IngestSamples {
    private IngestSamples() {}

    /** {@code streamlearn_ingest_records_total{outcome}}: read, sent or rejected; null before the first count. */
    public static Double records(CollectorRegistry registry, String outcome) {
        return sample(registry, "streamlearn_ingest_records_total", "outcome", outcome);
    }

    /** {@code streamlearn_ingest_bytes_total{outcome}}; null before the first count. */
    public static Double bytes(CollectorRegistry registry, String outcome) {
        return sample(registry, "streamlearn_ingest_bytes_total", "outcome", outcome);
    }

    /** {@code streamlearn_ingest_rejected_records_total{reason}}; null before the first reject of that reason. */
    public static Double rejected(CollectorRegistry registry, String reason) {
        return sample(registry, "streamlearn_ingest_rejected_records_total", "reason", reason);
    }

    private static Double sample(CollectorRegistry registry, String name, String label, String value) {
        return registry.getSampleValue(name, new String[] {label}, new String[] {value});
    }
}
