package io.streamlearn.serving;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.client.CollectorRegistry;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.junit.jupiter.api.Test;

class KafkaClientMetricsTest {

    private static void put(Map<MetricName, Metric> m, String name, double value, String... tags) {
        Map<String, String> t = new LinkedHashMap<>();
        for (int i = 0; i < tags.length; i += 2) {
            t.put(tags[i], tags[i + 1]);
        }
        MetricName n = new MetricName(name, KafkaClientMetrics.GROUP, "", t);
        m.put(n, new Metric() {
            @Override
            public MetricName metricName() {
                return n;
            }

            @Override
            public Object metricValue() {
                return value;
            }
        });
    }

    @Test
    void sumsThePartitionLagsPerTopicAndExportsTheClientsMaximum() {
        Map<MetricName, Metric> m = new LinkedHashMap<>();
        put(m, "records-lag", 10, "client-id", "c1", "topic", "streamlearn.requests", "partition", "0");
        put(m, "records-lag", 32, "client-id", "c1", "topic", "streamlearn.requests", "partition", "1");
        put(m, "records-lag", Double.NaN, "client-id", "c1", "topic", "streamlearn.models", "partition", "0");
        put(m, "records-lag-max", 32, "client-id", "c1");
        put(m, "records-lag-max", 32, "client-id", "c1", "topic", "streamlearn.requests");
        CollectorRegistry registry = new CollectorRegistry();
        try (KafkaClientMetrics k = KafkaClientMetrics.register(registry, "serving", () -> m)) {
            assertThat(registry.getSampleValue("streamlearn_kafka_consumer_lag_records",
                    new String[] {"component", "client_id", "topic"},
                    new String[] {"serving", "c1", "streamlearn.requests"})).isEqualTo(42.0);
            assertThat(registry.getSampleValue("streamlearn_kafka_consumer_lag_records",
                    new String[] {"component", "client_id", "topic"},
                    new String[] {"serving", "c1", "streamlearn.models"})).isNull();
            assertThat(registry.getSampleValue("streamlearn_kafka_consumer_lag_max_records",
                    new String[] {"component", "client_id"}, new String[] {"serving", "c1"})).isEqualTo(32.0);
        }
        assertThat(registry.metricFamilySamples().hasMoreElements()).isFalse();
    }

    @Test
    void closingTwiceIsHarmless() {
        CollectorRegistry registry = new CollectorRegistry();
        KafkaClientMetrics k = KafkaClientMetrics.register(registry, "serving", Map::of);
        k.close();
        k.close();
        assertThat(registry.metricFamilySamples().hasMoreElements()).isFalse();
    }
}
