package io.streamlearn.core.testkit;

import io.streamlearn.core.broker.KraftNode;
import io.streamlearn.core.io.FileTrees;
import io.streamlearn.core.kafka.KafkaClients;
import io.streamlearn.core.kafka.Topics;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.awaitility.core.ConditionTimeoutException;

/**
 * A real KRaft Kafka cluster of 1 to 5 nodes, each a child JVM ({@code kafka.Kafka}, combined broker and
 * controller) on 127.0.0.1 over its own formatted log directory, for the tests that stop, kill and restart
 * brokers: an in-process broker cannot be SIGKILLed, and Kafka's {@code BrokerServer} is not made to start again.
 *
 * <pre>{@code
 * try (KafkaCluster cluster = KafkaCluster.withNodes(3).start()) {
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
 * waits at most {@link Options#startTimeout() the start timeout} and then fails with the node's log; {@link #close()}
 * kills every node and deletes the directories (a {@link ChildJvm} never outlives the test JVM either).
 */
public final class KafkaCluster implements AutoCloseable {
    private static final String HOST = KraftNode.HOST;

    private final int nodes;
    private final Duration startTimeout;
    private final Map<String, String> extraConfig;
    private final Path root;
    private final boolean ownsRoot;
    private final int[] ports;
    private final int[] controllerPorts;
    private final ChildJvm[] running;

    /** A cluster as {@code options} say, not yet started. */
    public KafkaCluster(Options options) {
        this.nodes = options.nodes();
        this.startTimeout = options.startTimeout();
        this.extraConfig = options.config();
        try {
            this.ownsRoot = options.directory() == null;
            this.root = ownsRoot ? Files.createTempDirectory("streamlearn-kafka-cluster-")
                    : Files.createDirectories(options.directory());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the cluster directory", e);
        }
        this.ports = new int[nodes + 1];
        this.controllerPorts = new int[nodes + 1];
        this.running = new ChildJvm[nodes + 1];
        for (int n = 1; n <= nodes; n++) {
            ports[n] = KraftNode.freePort();
            controllerPorts[n] = KraftNode.freePort();
        }
    }

    /** A cluster of {@code nodes} nodes with the other {@link Options} at their defaults, not yet started. */
    public static KafkaCluster withNodes(int nodes) {
        return new KafkaCluster(Options.nodes(nodes));
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
        AtomicReference<String> last = new AtomicReference<>("");
        try (Admin admin = admin()) {
            poll(startTimeout).until(() -> {
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
                    last.set(String.join(", ", lagging));
                    return lagging.isEmpty();
                } catch (ExecutionException | TimeoutException e) {
                    last.set(e.toString());
                    return false;
                }
            });
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("replicas not in sync after " + startTimeout.toSeconds() + " s: " + last.get(), e);
        }
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
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the configuration of node " + n + " in " + root, e);
            }
            // A static quorum (controller.quorum.voters): every node is formatted alike, without --standalone.
            KraftNode.format(logs, logs.toString(), n, clusterId);
        }
    }

    private Path logDir(int node) {
        return root.resolve("node-" + node);
    }

    private String serverProperties(int node) throws IOException {
        String voters = IntStream.rangeClosed(1, nodes)
                .mapToObj(n -> n + "@" + HOST + ":" + controllerPorts[n]).collect(Collectors.joining(","));
        Map<String, String> p = KraftNode.properties(node, voters, ports[node], controllerPorts[node], logDir(node),
                replicationFactor(), Math.min(2, nodes), 3);
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
        AtomicReference<String> last = new AtomicReference<>("no listener yet");
        try {
            // Until the listeners accept connections an admin client only logs a warning per node and attempt.
            poll(startTimeout).until(() -> expected.stream().allMatch(this::listening));
            try (Admin admin = admin()) {
                poll(startTimeout).until(() -> {
                    expected.forEach(this::requireAlive);
                    try {
                        Set<Integer> live = admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).stream()
                                .map(Node::id).collect(Collectors.toSet());
                        last.set("live nodes " + live);
                        return live.containsAll(expected);
                    } catch (ExecutionException | TimeoutException e) {
                        last.set(e.toString());
                        return false;
                    }
                });
            }
        } catch (ConditionTimeoutException e) {
            StringBuilder logs = new StringBuilder();
            for (int n : expected) {
                logs.append("\n--- node ").append(n).append(" ---\n").append(running[n].logTail(20));
            }
            throw new IllegalStateException("Kafka nodes " + expected + " not serving after " + startTimeout.toSeconds()
                    + " s (" + last.get() + ")" + logs, e);
        }
    }

    /** Whether {@code node}'s listener accepts connections; a node that exited fails the wait with its log. */
    private boolean listening(int node) {
        requireAlive(node);
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(HOST, ports[node]), 1_000);
            return true;
        } catch (IOException notYet) {
            return false;
        }
    }

    private void requireAlive(int node) {
        if (!running[node].isAlive()) {
            throw new IllegalStateException("Kafka node " + node + " exited with " + running[node].exitCode()
                    .orElse(-1) + " while starting; its log ends:\n" + running[node].logTail(40));
        }
    }

    /** A wait on a condition, polled every 200 ms: starting JVMs answer in seconds, not milliseconds. */
    private static ConditionFactory poll(Duration atMost) {
        return Awaitility.await().atMost(atMost).pollInterval(Duration.ofMillis(200));
    }

    private static String ids(List<Node> nodes) {
        return nodes.stream().map(n -> Integer.toString(n.id())).collect(Collectors.joining(",", "[", "]"));
    }

    private void check(int node) {
        if (node < 1 || node > nodes) {
            throw new IllegalArgumentException("node " + node + " does not exist: nodes are 1.." + nodes);
        }
    }

    /**
     * The settings of a {@link KafkaCluster}, checked here.
     *
     * @param nodes number of nodes, 1..5
     * @param startTimeout longest wait for nodes to serve after a start or restart
     * @param config broker settings over the defaults, e.g. {@code transaction.max.timeout.ms}
     * @param directory directory of the log dirs and outputs, kept on close; null for a temporary one, deleted
     */
    public record Options(int nodes, Duration startTimeout, Map<String, String> config, Path directory) {
        public Options {
            if (nodes < 1 || nodes > 5) {
                throw new IllegalArgumentException("nodes " + nodes + " must be 1..5");
            }
            config = Map.copyOf(config);
        }

        /** {@code nodes} nodes, 120 s start timeout (three JVMs on two cores), no extra config, a temporary directory. */
        public static Options nodes(int nodes) {
            return new Options(nodes, Duration.ofSeconds(120), Map.of(), null);
        }
    }
}
