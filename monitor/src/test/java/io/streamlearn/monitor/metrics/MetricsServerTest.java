package io.streamlearn.monitor.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.Counter;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class MetricsServerTest {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void servesTheRegistryAndJvmMetricsOnAFreeLocalPortUntilClosed() throws Exception {
        CollectorRegistry registry = new CollectorRegistry();
        Counter c = Counter.build("streamlearn_test_events_total", "Events of the test.").register(registry);
        c.inc(3);
        String url;
        try (MetricsServer server = MetricsServer.builder().setRegistry(registry).optJvmMetrics(true).build()) {
            assertThat(server.address().getHostString()).isEqualTo("127.0.0.1");
            assertThat(server.address().getPort()).isPositive();
            url = server.url();
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).contains("# HELP streamlearn_test_events_total Events of the test.")
                    .contains("streamlearn_test_events_total 3.0").contains("jvm_memory_bytes_used{area=\"heap\",}")
                    .contains("process_cpu_seconds_total");
        }
        assertThatThrownBy(() -> http.send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString())).isInstanceOf(ConnectException.class);
        assertThat(CollectorRegistry.defaultRegistry.getSampleValue("streamlearn_test_events_total")).isNull();
    }

    @Test
    void registersJvmMetricsOncePerRegistry() {
        CollectorRegistry registry = new CollectorRegistry();
        JvmMetrics.register(registry);
        JvmMetrics.register(registry);
        assertThat(registry.getSampleValue("jvm_threads_current")).isPositive();
    }

    @Test
    void refusesToBuildWithoutARegistryOrWithABadPort() {
        assertThatThrownBy(() -> MetricsServer.builder().build()).hasMessageContaining("call setRegistry");
        assertThatThrownBy(() -> MetricsServer.builder().setRegistry(new CollectorRegistry()).optAddress("127.0.0.1",
                70_000).build()).hasMessageContaining("port 70000 must be 0..65535");
    }
}
