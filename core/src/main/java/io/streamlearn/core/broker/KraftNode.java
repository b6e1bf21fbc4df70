package io.streamlearn.core.broker;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * What one combined KRaft broker and controller on 127.0.0.1 needs, shared by {@link EmbeddedKafkaBroker} (one node
 * in this JVM) and the test kit's multi-node cluster (child JVMs): its server properties, its formatted log
 * directory and free ports. One place, so that both run the same listeners and internal-topic settings.
 */
public final class KraftNode {
    /** The address every node and client listener binds: nothing reachable from outside the machine. */
    public static final String HOST = "127.0.0.1";

    private KraftNode() {}

    /**
     * The server properties of node {@code nodeId} in a cluster whose voters are {@code voters}
     * ({@code id@host:port,...}): a PLAINTEXT client listener on {@code port}, a CONTROLLER listener on
     * {@code controllerPort}, logs in {@code logDir}, and every topic (internal ones too) at {@code replication}
     * replicas with {@code minIsr} in sync, the internal ones in {@code internalPartitions} partitions.
     */
    public static Map<String, String> properties(int nodeId, String voters, int port, int controllerPort, Path logDir,
            short replication, int minIsr, int internalPartitions) {
        String rf = Short.toString(replication);
        String isr = Integer.toString(minIsr);
        String partitions = Integer.toString(internalPartitions);
        Map<String, String> p = new LinkedHashMap<>();
        p.put("process.roles", "broker,controller");
        p.put("node.id", Integer.toString(nodeId));
        p.put("controller.quorum.voters", voters);
        p.put("listeners", "PLAINTEXT://" + HOST + ":" + port + ",CONTROLLER://" + HOST + ":" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://" + HOST + ":" + port);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("log.dirs", logDir.toString());
        p.put("default.replication.factor", rf);
        p.put("min.insync.replicas", isr);
        p.put("offsets.topic.replication.factor", rf);
        p.put("offsets.topic.num.partitions", partitions);
        p.put("transaction.state.log.replication.factor", rf);
        p.put("transaction.state.log.min.isr", isr);
        p.put("transaction.state.log.num.partitions", partitions);
        p.put("share.coordinator.state.topic.replication.factor", rf);
        p.put("share.coordinator.state.topic.min.isr", isr);
        // Groups start without waiting for more members: tests and the demo join one consumer at a time.
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("num.partitions", "1");
        p.put("log.cleaner.dedupe.buffer.size", Long.toString(4L * 1024 * 1024));
        return p;
    }

    /**
     * Formats {@code logDir} for node {@code nodeId} of cluster {@code clusterId}, with its metadata log in
     * {@code metadataLogDir}; a directory already formatted is left as it is.
     */
    public static void format(Path logDir, String metadataLogDir, int nodeId, String clusterId) {
        format(logDir, metadataLogDir, nodeId, clusterId, List.of());
    }

    /**
     * As {@link #format(Path, String, int, String)}, with SCRAM credentials in the bootstrap metadata
     * ({@code --add-scram} arguments, see {@link BrokerSecurity#scramArguments()}).
     */
    public static void format(Path logDir, String metadataLogDir, int nodeId, String clusterId,
            List<String> scramArguments) {
        try {
            new Formatter()
                    .setScramArguments(scramArguments)
                    .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                    .setNodeId(nodeId)
                    .setClusterId(clusterId)
                    .addDirectory(logDir.toString())
                    .setMetadataLogDirectory(metadataLogDir)
                    .setControllerListenerName("CONTROLLER")
                    .setReleaseVersion(MetadataVersion.latestProduction())
                    .setIgnoreFormatted(true)
                    .run();
        } catch (Exception e) {
            throw new IllegalStateException("cannot format Kafka log directory " + logDir + " of node " + nodeId + ": "
                    + e.getMessage(), e);
        }
    }

    /** A port free on {@link #HOST} now; another process may take it before the caller binds it. */
    public static int freePort() {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getByName(HOST), 0));
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on " + HOST, e);
        }
    }
}
