package io.streamlearn.core.testkit;

import io.streamlearn.core.io.FileTrees;
import io.streamlearn.core.kafka.KafkaClients;
import io.streamlearn.core.kafka.Topics;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * A real KRaft Kafka cluster of 1 to 5 nodes, each a child JVM ({@code kafka.Kafka}, combined broker and
 * controller) on 127.0.0.1 over its own formatted log directory, for the tests that stop, kill and restart
 * brokers: an in-process broker cannot be SIGKILLed, and Kafka's {@code BrokerServer} is not made to start again.
 *
 * <pre>{@code
 * try (KafkaCluster cluster = KafkaCluster.builder().optNodes(3).build().start()) {
 *     Topics topics = cluster.createTopics("t1.", 2);  // replication factor 3, min.insync.replicas 2
 *     cluster.stop(2);                                 // SIGTERM: controlled shutdown
 *     cluster.restart(2);                              // same ports, same log dir; waits until it serves again
 *     cluster.kill(3);                                 // SIGKILL
 * }
 * }</pre>
 *
 * <p>With three or more nodes every topic (internal ones too) has three replicas and {@code min.insync.replicas} 2,
 * so one node down loses nothing and blocks nothing; with fewer, replicas and min ISR shrink to the node count. Ports
 * are chosen once and kept across restarts, so clients keep their bootstrap list. Node ids are 1..n. Every start
 * waits at most {@link Builder#optStartTimeout the start timeout} and then fails with the node's log; {@link #close()}
 * kills every node and deletes the directories (a {@link ChildJvm} never outlives the test JVM either).
 */
public final class KafkaCluster implements AutoCloseable {
    private static final String HOST = "127.0.0.1";

    private final int nodes;
    private final Duration startTimeout;
    private final Map<String, String> extraConfig;
    private final Path root;
    private final boolean ownsRoot;
    private final int[] ports;
    private final int[] controllerPorts;
    private final ChildJvm[] running;

    private KafkaCluster(Builder b) {
        this.nodes = b.nodes;
        this.startTimeout = b.startTimeout;
        this.extraConfig = Map.copyOf(b.extraConfig);
        try {
            this.ownsRoot = b.dir == null;
            this.root = b.dir == null ? Files.createTempDirectory("streamlearn-kafka-cluster-")
                    : Files.createDirectories(b.dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the cluster directory", e);
        }
        this.ports = new int[nodes + 1];
        this.controllerPorts = new int[nodes + 1];
        this.running = new ChildJvm[nodes + 1];
        for (int n = 1; n <= nodes; n++) {
            ports[n] = freePort();
            controllerPorts[n] = freePort();
        }
    }

    /** Settings of a cluster; defaults: 3 nodes, 120 s start timeout, a temporary directory. */
    public static Builder builder() {
        return new Builder();
    }

    /** Formats every node's log directory (one cluster id), starts all nodes and waits until all serve. */
    public KafkaCluster start() {
        try {
            format();
            for (int n = 1; n <= nodes; n++) {
                launch(n);
            }
            awaitLive(allNodes());
            return this;
        } catch (RuntimeException | Error e) {
            close();
            throw e;
        }
    }

    /** {@code 127.0.0.1:<port>} of every node, comma-separated: clients find the cluster while any one node runs. */
    public String bootstrapServers() {
        return IntStream.rangeClosed(1, nodes).mapToObj(this::address).collect(Collectors.joining(","));
    }

    /** The client address of node {@code node} (1..n). */
    public String address(int node) {
        check(node);
        return HOST + ":" + ports[node];
    }

    /** Number of nodes. */
    public int size() {
        return nodes;
    }

    /** Replication factor of the topics this cluster creates: 3, or the node count when smaller. */
    public short replicationFactor() {
        return (short) Math.min(3, nodes);
    }

    /** Whether node {@code node}'s JVM runs. */
    public boolean isRunning(int node) {
        check(node);
        return running[node] != null && running[node].isAlive();
    }

    /** The root directory: {@code node-N/} log directories and {@code node-N.log} outputs. */
    public Path directory() {
        return root;
    }

    /** Stops node {@code node} with SIGTERM (a controlled shutdown: leaders move first) and waits for its exit. */
    public void stop(int node) {
        check(node);
        if (running[node] != null) {
            running[node].stop();
            running[node] = null;
        }
    }

    /** Kills node {@code node} with SIGKILL (no controlled shutdown) and waits for its exit. */
    public void kill(int node) {
        check(node);
        if (running[node] != null) {
            running[node].kill();
            running[node] = null;
        }
    }

    /** Starts a stopped or killed node again over its log directory and ports; waits until the cluster sees it. */
    public void restart(int node) {
        check(node);
        if (isRunning(node)) {
            throw new IllegalStateException("node " + node + " still runs: stop or kill it first");
        }
        launch(node);
        awaitLive(List.of(node));
    }

    /**
     * Creates the platform topics under {@code prefix} with {@code partitions} data partitions, at
     * {@link #replicationFactor()} replicas, and waits until every partition has a leader.
     */
    public Topics createTopics(String prefix, int partitions) {
        Topics t = new Topics(prefix);
        try (Admin admin = admin()) {
            t.createAll(admin, partitions, replicationFactor());
        }
        return t;
    }

    /**
     * Waits until every partition of {@code topics} has all its replicas in sync again (after a restart the node
     * must catch up before a second node may go down without blocking {@code acks=all}).
     */
    public void awaitFullIsr(Collection<String> topics) {
        long deadline = System.nanoTime() + startTimeout.toNanos();
        String last = "";
        try (Admin admin = admin()) {
            while (System.nanoTime() < deadline) {
                try {
                    Map<String, TopicDescription> d = admin.describeTopics(topics).allTopicNames().get(10, TimeUnit.SECONDS);
                    List<String> lagging = new ArrayList<>();
                    d.forEach((name, td) -> {
                        for (TopicPartitionInfo p : td.partitions()) {
                            if (p.isr().size() < p.replicas().size()) {
                                lagging.add(name + "-" + p.partition() + " isr " + ids(p.isr()) + " of " + ids(p.replicas()));
                            }
                        }
                    });
                    if (lagging.isEmpty()) {
                        return;
                    }
                    last = String.join(", ", lagging);
                } catch (ExecutionException | TimeoutException e) {
                    last = e.toString();
                }
                pause();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for in-sync replicas", e);
        }
        throw new AssertionError("replicas not in sync after " + startTimeout.toSeconds() + " s: " + last);
    }

    /** An admin client on the whole cluster; the caller closes it. */
    public Admin admin() {
        return KafkaClients.admin(bootstrapServers(), Map.of(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000",
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "15000"));
    }

    /** Kills every node that runs and deletes the directory (when the cluster made it). */
    @Override
    public void close() {
        for (int n = 1; n <= nodes; n++) {
            if (running[n] != null) {
                running[n].close();
                running[n] = null;
            }
        }
        if (ownsRoot && Files.exists(root)) {
            try {
                FileTrees.deleteRecursively(root);
            } catch (UncheckedIOException e) {
                // Closing must not hide the test's own failure over a temporary directory.
                System.err.println("KafkaCluster: could not delete " + root + ": " + e.getMessage());
            }
        }
    }

    private List<Integer> allNodes() {
        return IntStream.rangeClosed(1, nodes).boxed().toList();
    }

    private void format() {
        String clusterId = Uuid.randomUuid().toString();
        for (int n = 1; n <= nodes; n++) {
            Path logs = logDir(n);
            try {
                Files.createDirectories(logs);
                Files.writeString(root.resolve("node-" + n + ".properties"), serverProperties(n));
                // A static quorum (controller.quorum.voters): every node is formatted alike, without --standalone.
                new Formatter()
                        .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                        .setNodeId(n)
                        .setClusterId(clusterId)
                        .addDirectory(logs.toString())
                        .setMetadataLogDirectory(logs.toString())
                        .setControllerListenerName("CONTROLLER")
                        .setReleaseVersion(MetadataVersion.latestProduction())
                        .run();
            } catch (Exception e) {
                throw new IllegalStateException("cannot format the log directory of node " + n + " in " + logs + ": "
                        + e.getMessage(), e);
            }
        }
    }

    private Path logDir(int node) {
        return root.resolve("node-" + node);
    }

    private String serverProperties(int node) throws IOException {
        short rf = replicationFactor();
        String minIsr = Integer.toString(Math.min(2, nodes));
        Map<String, String> p = new LinkedHashMap<>();
        p.put("process.roles", "broker,controller");
        p.put("node.id", Integer.toString(node));
        p.put("controller.quorum.voters", IntStream.rangeClosed(1, nodes)
                .mapToObj(n -> n + "@" + HOST + ":" + controllerPorts[n]).collect(Collectors.joining(",")));
        p.put("listeners", "PLAINTEXT://" + HOST + ":" + ports[node] + ",CONTROLLER://" + HOST + ":" + controllerPorts[node]);
        p.put("advertised.listeners", "PLAINTEXT://" + HOST + ":" + ports[node]);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("log.dirs", logDir(node).toString());
        p.put("default.replication.factor", Short.toString(rf));
        p.put("min.insync.replicas", minIsr);
        p.put("offsets.topic.replication.factor", Short.toString(rf));
        p.put("offsets.topic.num.partitions", "3");
        p.put("transaction.state.log.replication.factor", Short.toString(rf));
        p.put("transaction.state.log.min.isr", minIsr);
        p.put("transaction.state.log.num.partitions", "3");
        p.put("share.coordinator.state.topic.replication.factor", Short.toString(rf));
        p.put("share.coordinator.state.topic.min.isr", minIsr);
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("num.partitions", "1");
        p.put("log.cleaner.dedupe.buffer.size", Long.toString(4L * 1024 * 1024));
        // A follower that stopped is dropped from the ISR after this long; the default 30 s would make acks=all
        // wait that long on the first produce after a SIGKILL.
        p.put("replica.lag.time.max.ms", "10000");
        p.putAll(extraConfig);
        Properties props = new Properties();
        props.putAll(p);
        StringWriter out = new StringWriter();
        props.store(out, "node " + node + " of a KafkaCluster");
        return out.toString();
    }

    private void launch(int node) {
        // C1 only and a small heap: the brokers of a test carry little load, and three JVMs start faster on few cores.
        running[node] = ChildJvm.start("node-" + node, "kafka.Kafka",
                List.of(root.resolve("node-" + node + ".properties").toString()),
                List.of("-Xms128m", "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"), root);
    }

    private void awaitLive(List<Integer> expected) {
        long deadline = System.nanoTime() + startTimeout.toNanos();
        // Until the listeners accept connections an admin client only logs a warning per node and attempt.
        for (int n : expected) {
            awaitListening(n, deadline);
        }
        String last = "no answer yet";
        try (Admin admin = admin()) {
            while (System.nanoTime() < deadline) {
                for (int n : expected) {
                    if (!running[n].isAlive()) {
                        throw new IllegalStateException("Kafka node " + n + " exited with " + running[n].exitCode()
                                .orElse(-1) + " while starting; its log ends:\n" + running[n].logTail(40));
                    }
                }
                try {
                    Set<Integer> live = admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).stream()
                            .map(Node::id).collect(Collectors.toSet());
                    if (live.containsAll(expected)) {
                        return;
                    }
                    last = "live nodes " + live;
                } catch (ExecutionException | TimeoutException e) {
                    last = e.toString();
                }
                pause();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for nodes " + expected, e);
        }
        StringBuilder logs = new StringBuilder();
        for (int n : expected) {
            logs.append("\n--- node ").append(n).append(" ---\n").append(running[n].logTail(20));
        }
        throw new IllegalStateException("Kafka nodes " + expected + " not serving after " + startTimeout.toSeconds()
                + " s (" + last + ")" + logs);
    }

    private void awaitListening(int node, long deadline) {
        while (System.nanoTime() < deadline) {
            if (!running[node].isAlive()) {
                throw new IllegalStateException("Kafka node " + node + " exited with " + running[node].exitCode()
                        .orElse(-1) + " while starting; its log ends:\n" + running[node].logTail(40));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(HOST, ports[node]), 1_000);
                return;
            } catch (IOException notYet) {
                pause();
            }
        }
    }

    private static String ids(List<Node> nodes) {
        return nodes.stream().map(n -> Integer.toString(n.id())).collect(Collectors.joining(",", "[", "]"));
    }

    private static void pause() {
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the Kafka cluster", e);
        }
    }

    private void check(int node) {
        if (node < 1 || node > nodes) {
            throw new IllegalArgumentException("node " + node + " does not exist: nodes are 1.." + nodes);
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getByName(HOST), 0));
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on " + HOST, e);
        }
    }

    /** Builder of a {@link KafkaCluster}: every setting optional. */
    public static final class Builder {
        private int nodes = 3;
        private Duration startTimeout = Duration.ofSeconds(120);
        private Map<String, String> extraConfig = Map.of();
        private Path dir = null;

        private Builder() {}

        /** Number of nodes, 1..5 (default 3). */
        public Builder optNodes(int nodes) {
            if (nodes < 1 || nodes > 5) {
                throw new IllegalArgumentException("nodes " + nodes + " must be 1..5");
            }
            this.nodes = nodes;
            return this;
        }

        /** Longest wait for nodes to serve after a start or restart (default 120 s: three JVMs on two cores). */
        public Builder optStartTimeout(Duration timeout) {
            this.startTimeout = timeout;
            return this;
        }

        /** Broker settings over the defaults, e.g. {@code transaction.max.timeout.ms}. */
        public Builder optConfig(Map<String, String> config) {
            this.extraConfig = Map.copyOf(config);
            return this;
        }

        /** Directory of the log dirs and outputs, kept on close (default: a temporary one, deleted). */
        public Builder optDirectory(Path dir) {
            this.dir = dir;
            return this;
        }

        public KafkaCluster build() {
            return new KafkaCluster(this);
        }
    }
}
