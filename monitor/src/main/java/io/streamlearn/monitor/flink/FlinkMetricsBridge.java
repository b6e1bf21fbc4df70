package io.streamlearn.monitor.flink;

import io.prometheus.client.Collector;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.GaugeMetricFamily;
import io.prometheus.client.SummaryMetricFamily;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.HistogramStatistics;
import org.apache.flink.metrics.LogicalScopeProvider;
import org.apache.flink.metrics.Meter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;

/**
 * A Flink metric reporter that puts the streamlearn operator metrics (and the Kafka source's
 * {@code pendingRecords}, the lag) into {@link #registry()}, named
 * {@code flink_taskmanager_job_task_operator_streamlearn_<name>} with {@code job_name},
 * {@code operator_name} and {@code subtask_index} labels, as Flink's Prometheus reporter names them.
 * Counters become gauges and histograms summaries, as there too.
 */
public final class FlinkMetricsBridge implements MetricReporter {
    private static final CollectorRegistry REGISTRY = new CollectorRegistry();
    private static final Map<String, Tracked> METRICS = new ConcurrentHashMap<>();
    private static final Collector COLLECTOR = new Collector() {
        @Override
        public List<MetricFamilySamples> collect() {
            return samples();
        }
    }.register(REGISTRY);

    private record Tracked(String family, List<String> labelNames, List<String> labelValues, Metric metric) {}

    /** Where the bridged metrics are; serve it with {@code MetricsServer}. */
    public static CollectorRegistry registry() {
        return REGISTRY;
    }

    /** The Flink settings that make a MiniCluster report through this bridge ({@code Configuration.fromMap}). */
    public static Map<String, String> reporterSettings() {
        return Map.of("metrics.reporter.streamlearn.factory.class", Factory.class.getName());
    }

    @Override
    public void open(MetricConfig config) {}

    @Override
    public void close() {}

    @Override
    public void notifyOfAddedMetric(Metric metric, String name, MetricGroup group) {
        String scope;
        try {
            scope = LogicalScopeProvider.castFrom(group).getLogicalScope(FlinkMetricsBridge::sanitize, '_');
        } catch (IllegalStateException notAScopedGroup) {
            return;
        }
        boolean ours = scope.endsWith("_streamlearn") || name.equals("pendingRecords");
        if (!ours) {
            return;
        }
        Map<String, String> labels = new TreeMap<>();
        group.getAllVariables().forEach((k, v) -> {
            String key = k.replace("<", "").replace(">", "");
            if (key.equals("job_name") || key.equals("operator_name") || key.equals("subtask_index")) {
                labels.put(key, v);
            }
        });
        METRICS.put(group.getMetricIdentifier(name), new Tracked("flink_" + scope + "_" + sanitize(name),
                new ArrayList<>(labels.keySet()), new ArrayList<>(labels.values()), metric));
    }

    @Override
    public void notifyOfRemovedMetric(Metric metric, String name, MetricGroup group) {
        METRICS.remove(group.getMetricIdentifier(name));
    }

    private static String sanitize(String s) {
        return s.replaceAll("[^a-zA-Z0-9_]", "_");
    }

    private static List<Collector.MetricFamilySamples> samples() {
        Map<String, Collector.MetricFamilySamples> families = new TreeMap<>();
        for (Tracked t : METRICS.values()) {
            Metric m = t.metric();
            if (m instanceof Histogram h) {
                SummaryMetricFamily f = (SummaryMetricFamily) families.computeIfAbsent(t.family(),
                        n -> new SummaryMetricFamily(n, "Flink histogram " + n, t.labelNames(),
                                List.of(0.5, 0.95, 0.99)));
                HistogramStatistics st = h.getStatistics();
                f.addMetric(t.labelValues(), h.getCount(), st.getMean() * st.size(),
                        List.of(st.getQuantile(0.5), st.getQuantile(0.95), st.getQuantile(0.99)));
                continue;
            }
            double value;
            if (m instanceof Counter c) {
                value = c.getCount();
            } else if (m instanceof Meter meter) {
                value = meter.getRate();
            } else if (m instanceof Gauge<?> g && g.getValue() instanceof Number n) {
                value = n.doubleValue();
            } else {
                continue;
            }
            GaugeMetricFamily f = (GaugeMetricFamily) families.computeIfAbsent(t.family(),
                    n -> new GaugeMetricFamily(n, "Flink metric " + n, t.labelNames()));
            f.addMetric(t.labelValues(), value);
        }
        return new ArrayList<>(families.values());
    }

    /** Creates the bridge; named in {@code metrics.reporter.<name>.factory.class}. */
    public static final class Factory implements MetricReporterFactory {
        @Override
        public MetricReporter createMetricReporter(java.util.Properties properties) {
            return new FlinkMetricsBridge();
        }
    }
}
