package io.streamlearn.serving;

import io.prometheus.client.Collector;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.GaugeMetricFamily;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

/**
 * Exports a Kafka consumer's lag, read from the client's own metrics at scrape time:
 * {@code streamlearn_kafka_consumer_lag_records{component,client_id,topic}} (records behind the end of the
 * topic's assigned partitions, summed) and {@code streamlearn_kafka_consumer_lag_max_records{component,client_id}}
 * (the client's {@code records-lag-max}).
 *
 * <pre>{@code
 * KafkaClientMetrics lag = KafkaClientMetrics.register(registry, "serving", consumer::metrics);
 * ...
 * lag.close(); // before the consumer is closed
 * }</pre>
 *
 * <p>Labels stay few: one series per component, client and topic, never per partition. {@code consumer.metrics()}
 * is thread-safe, so the scrape thread may read it while the consumer's thread polls. It lives in serving, the one
 * component that exports it through simpleclient (the trainer's backlog is Flink's {@code pendingRecords}); serving
 * must not depend on {@code monitor}.
 */
public final class KafkaClientMetrics extends Collector implements AutoCloseable {
    static final String GROUP = "consumer-fetch-manager-metrics";

    private final CollectorRegistry registry;
    private final String component;
    private final Supplier<? extends Map<MetricName, ? extends Metric>> metrics;
    private final AtomicBoolean closed = new AtomicBoolean();

    private KafkaClientMetrics(CollectorRegistry registry, String component,
            Supplier<? extends Map<MetricName, ? extends Metric>> metrics) {
        this.registry = registry;
        this.component = component;
        this.metrics = metrics;
    }

    /**
     * Registers the lag of one consumer, as {@code component} (e.g. {@code serving}), into {@code registry}.
     *
     * @param metrics usually {@code consumer::metrics}
     */
    public static KafkaClientMetrics register(CollectorRegistry registry, String component,
            Supplier<? extends Map<MetricName, ? extends Metric>> metrics) {
        if (registry == null || component == null || component.isBlank() || metrics == null) {
            throw new IllegalArgumentException("Kafka client metrics need a registry, a component name and the "
                    + "client's metrics (consumer::metrics)");
        }
        KafkaClientMetrics k = new KafkaClientMetrics(registry, component, metrics);
        registry.register(k);
        return k;
    }

    @Override
    public List<MetricFamilySamples> collect() {
        GaugeMetricFamily lag = new GaugeMetricFamily("streamlearn_kafka_consumer_lag_records",
                "Records a consumer is behind the end of the partitions it is assigned, summed per topic (from the "
                        + "client's records-lag).", List.of("component", "client_id", "topic"));
        GaugeMetricFamily lagMax = new GaugeMetricFamily("streamlearn_kafka_consumer_lag_max_records",
                "The consumer's records-lag-max: the largest lag of any of its partitions in the recent window.",
                List.of("component", "client_id"));
        Map<List<String>, Double> byTopic = new TreeMap<>((a, b) -> String.join("\u0000", a).compareTo(String.join("\u0000", b)));
        for (Map.Entry<MetricName, ? extends Metric> e : metrics.get().entrySet()) {
            MetricName n = e.getKey();
            if (!GROUP.equals(n.group()) || !(e.getValue().metricValue() instanceof Double v) || !Double.isFinite(v)) {
                continue;
            }
            String client = n.tags().getOrDefault("client-id", "");
            if ("records-lag".equals(n.name()) && n.tags().containsKey("partition")) {
                byTopic.merge(List.of(component, client, n.tags().getOrDefault("topic", "")), v, Double::sum);
            } else if ("records-lag-max".equals(n.name()) && !n.tags().containsKey("topic")) {
                lagMax.addMetric(List.of(component, client), v);
            }
        }
        byTopic.forEach((labels, v) -> lag.addMetric(labels, v));
        List<MetricFamilySamples> out = new ArrayList<>(2);
        out.add(lag);
        out.add(lagMax);
        return out;
    }

    /** Removes these metrics from the registry; a second call does nothing. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            registry.unregister(this);
        }
    }
}
