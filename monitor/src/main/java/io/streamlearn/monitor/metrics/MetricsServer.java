package io.streamlearn.monitor.metrics;

import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.exporter.HTTPServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;

/**
 * A Prometheus exporter: serves {@code GET /metrics} (and {@code /-/healthy}) for one registry on simpleclient's
 * HTTP server, for components without an HTTP endpoint of their own (the trainer's Flink metrics bridge in
 * {@code streamlearn train} and the demo).
 *
 * <pre>{@code
 * CollectorRegistry registry = new CollectorRegistry();
 * IngestMetrics metrics = new IngestMetrics(registry);
 * try (MetricsServer server = MetricsServer.builder().setRegistry(registry).optAddress("127.0.0.1", 9400)
 *         .optJvmMetrics(true).build()) {
 *     // ... run; Prometheus scrapes http://host:9400/metrics
 * }
 * }</pre>
 */
public final class MetricsServer implements AutoCloseable {
    private final HTTPServer server;
    private final InetSocketAddress address;

    private MetricsServer(Builder b) {
        if (b.jvmMetrics) {
            JvmMetrics.register(b.registry);
        }
        try {
            this.server = new HTTPServer.Builder().withHostname(b.host).withPort(b.port).withRegistry(b.registry)
                    .withDaemonThreads(true).build();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot bind the metrics exporter to " + b.host + ":" + b.port + ": "
                    + e.getMessage() + "; choose a free port (0 picks one) or another address", e);
        }
        this.address = new InetSocketAddress(b.host, server.getPort());
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The bound address, with the actual port when 0 was asked for. */
    public InetSocketAddress address() {
        return address;
    }

    /** The URL Prometheus scrapes, e.g. {@code http://127.0.0.1:9400/metrics}. */
    public String url() {
        return "http://" + address.getHostString() + ":" + address.getPort() + "/metrics";
    }

    /** Stops serving and frees the port. */
    @Override
    public void close() {
        server.close();
    }

    /** Builds a {@link MetricsServer}: the registry is required, the rest optional. */
    public static final class Builder {
        private CollectorRegistry registry;
        private String host = "127.0.0.1";
        private int port = 0;
        private boolean jvmMetrics = false;

        private Builder() {}

        /** The registry to expose (tests pass a private one; a process usually the default registry). */
        public Builder setRegistry(CollectorRegistry registry) {
            this.registry = registry;
            return this;
        }

        /** Address to bind; default 127.0.0.1 on a free port. Use 0.0.0.0 when Prometheus runs elsewhere. */
        public Builder optAddress(String host, int port) {
            this.host = host;
            this.port = port;
            return this;
        }

        /** Also register the JVM (hotspot) collectors into the registry; default false. */
        public Builder optJvmMetrics(boolean jvmMetrics) {
            this.jvmMetrics = jvmMetrics;
            return this;
        }

        /** Binds and starts serving. */
        public MetricsServer build() {
            if (registry == null) {
                throw new IllegalArgumentException("a metrics server needs a registry: call setRegistry");
            }
            if (host == null || host.isBlank()) {
                throw new IllegalArgumentException("metrics server host is blank: pass an address such as 127.0.0.1");
            }
            if (port < 0 || port > 65_535) {
                throw new IllegalArgumentException("metrics server port " + port + " must be 0..65535 (0 picks a free one)");
            }
            return new MetricsServer(this);
        }
    }
}
