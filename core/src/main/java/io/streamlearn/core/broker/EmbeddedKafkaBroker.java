package io.streamlearn.core.broker;

import io.streamlearn.core.io.FileTrees;
import io.streamlearn.core.kafka.KafkaClients;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node KRaft Kafka broker (combined broker and controller) running in this JVM on
 * 127.0.0.1. With no data directory it uses a temporary one and deletes it on {@link #close()};
 * with one, it formats it once and restarts on it keeping its topics.
 *
 * <pre>{@code
 * try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().build().start()) {
 *     String bootstrap = broker.bootstrapServers(); // 127.0.0.1:<free port>
 * }
 * }</pre>
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);
    private static final String HOST = KraftNode.HOST;

    private final int requestedPort;
    private final Path requestedDataDir;
    private final Map<String, String> extraConfig;
    private final Duration readyTimeout;

    private Path dataDir;
    private boolean ownsDataDir;
    private int port;
    private KafkaRaftServer server;

    // Null for the PLAINTEXT listener every other broker of the project runs.
    private final BrokerSecurity security;

    private EmbeddedKafkaBroker(Builder b) {
        this.requestedPort = b.port;
        this.requestedDataDir = b.dataDir;
        this.extraConfig = Map.copyOf(b.extraConfig);
        this.readyTimeout = b.readyTimeout;
        this.security = b.security;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Starts the broker and waits until it answers; returns this. */
    public synchronized EmbeddedKafkaBroker start() {
        if (server != null) {
            throw new IllegalStateException("broker already started on " + bootstrapServers());
        }
        try {
            if (requestedDataDir == null) {
                dataDir = Files.createTempDirectory("streamlearn-kafka-");
                ownsDataDir = true;
            } else {
                dataDir = Files.createDirectories(requestedDataDir.toAbsolutePath());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create broker data directory " + requestedDataDir, e);
        }
        RuntimeException last = null;
        // A free port found by binding and releasing can be taken by another process before the
        // broker binds it; a few attempts make that race harmless.
        for (int attempt = 0; attempt < 3; attempt++) {
            port = requestedPort > 0 ? requestedPort : KraftNode.freePort();
            int controllerPort = KraftNode.freePort();
            try {
                KafkaConfig config = KafkaConfig.fromProps(props(controllerPort), false);
                formatIfNeeded(config);
                KafkaRaftServer s = new KafkaRaftServer(config, Time.SYSTEM);
                s.startup();
                server = s;
                awaitReady();
                LOG.info("Kafka broker ready on {} (data in {})", bootstrapServers(), dataDir);
                return this;
            } catch (RuntimeException e) {
                last = e;
                stopServer();
                if (requestedPort > 0) {
                    break;
                }
                LOG.warn("Kafka broker failed to start on port {} (attempt {}): {}", port, attempt + 1, e.toString());
            }
        }
        deleteDataDirIfOwned();
        throw new IllegalStateException("cannot start the embedded Kafka broker on " + HOST + ":" + port + ": "
                + (last == null ? "unknown" : last.getMessage()), last);
    }

    private Properties props(int controllerPort) {
        Properties p = new Properties();
        // One node: every internal topic has one replica.
        p.putAll(KraftNode.properties(1, "1@" + HOST + ":" + controllerPort, port, controllerPort,
                dataDir.resolve("logs"), (short) 1, 1, 1));
        if (security != null) {
            p.putAll(security.brokerProperties(port, controllerPort));
        }
        p.putAll(extraConfig);
        return p;
    }

    private void formatIfNeeded(KafkaConfig config) {
        Path logs = dataDir.resolve("logs");
        if (!Files.exists(logs.resolve("meta.properties"))) {
            KraftNode.format(logs, config.metadataLogDir(), config.nodeId(), Uuid.randomUuid().toString(),
                    security == null ? List.of() : security.scramArguments());
        }
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + readyTimeout.toNanos();
        try (Admin admin = KafkaClients.admin(bootstrapServers(), superUserProperties())) {
            while (true) {
                try {
                    if (!admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
                        return;
                    }
                } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("broker on " + bootstrapServers() + " not ready after "
                                + readyTimeout.toSeconds() + " s", e);
                    }
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("broker on " + bootstrapServers() + " has no live node after "
                            + readyTimeout.toSeconds() + " s");
                }
                Thread.onSpinWait();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the broker", e);
        }
    }

    /** {@code 127.0.0.1:<port>}. */
    public String bootstrapServers() {
        return HOST + ":" + port;
    }

    /**
     * The client properties of the super user on a secured broker ({@link Builder#optSecurity}); empty on a
     * plaintext one. Tests create topics and ACLs with them.
     */
    public Map<String, String> superUserProperties() {
        return security == null ? Map.of() : security.clientProperties(security.superUser());
    }

    public int port() {
        return port;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** Blocks until the broker is shut down (by {@link #close()} from another thread or a signal). */
    public void awaitShutdown() {
        KafkaRaftServer s = server;
        if (s != null) {
            s.awaitShutdown();
        }
    }

    @Override
    public synchronized void close() {
        stopServer();
        deleteDataDirIfOwned();
    }

    private void stopServer() {
        if (server != null) {
            try {
                server.shutdown();
                server.awaitShutdown();
            } finally {
                server = null;
            }
        }
    }

    private void deleteDataDirIfOwned() {
        if (!ownsDataDir || dataDir == null || !Files.exists(dataDir)) {
            return;
        }
        try {
            FileTrees.deleteRecursively(dataDir);
        } catch (UncheckedIOException e) {
            // Closing must not fail over a temporary directory; the warning says what is left.
            LOG.warn("could not delete broker data directory {}: {}", dataDir, e.getMessage());
        }
    }

    /** Settings of an {@link EmbeddedKafkaBroker}; defaults are a free port and a temporary directory. */
    public static final class Builder {
        private int port = 0;
        private Path dataDir = null;
        private Map<String, String> extraConfig = Map.of();
        private Duration readyTimeout = Duration.ofSeconds(60);
        private BrokerSecurity security = null;

        /** Port of the client listener; 0 (default) picks a free one. */
        public Builder optPort(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port " + port + " must be 0..65535");
            }
            this.port = port;
            return this;
        }

        /** Data directory kept across restarts; default is a temporary one deleted on close. */
        public Builder optDataDir(Path dataDir) {
            this.dataDir = dataDir;
            return this;
        }

        /** Broker settings applied over the defaults, e.g. {@code log.retention.hours}. */
        public Builder optConfig(Map<String, String> config) {
            this.extraConfig = Map.copyOf(config);
            return this;
        }

        /** A SASL_SSL client listener with SCRAM users and ACLs instead of PLAINTEXT; default none. */
        public Builder optSecurity(BrokerSecurity security) {
            this.security = Objects.requireNonNull(security, "security");
            return this;
        }

        public Builder optReadyTimeout(Duration timeout) {
            this.readyTimeout = timeout;
            return this;
        }

        public EmbeddedKafkaBroker build() {
            return new EmbeddedKafkaBroker(this);
        }
    }
}
