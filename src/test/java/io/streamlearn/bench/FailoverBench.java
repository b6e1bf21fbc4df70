package io.streamlearn.bench;

import io.streamlearn.core.broker.EmbeddedKafkaBroker;
import io.streamlearn.core.io.FileTrees;
import io.streamlearn.core.kafka.KafkaClients;
import io.streamlearn.core.kafka.Topics;
import io.streamlearn.core.model.ModelSpec;
import io.streamlearn.core.snapshot.SnapshotManifest;
import io.streamlearn.core.snapshot.SnapshotStore;
import io.streamlearn.core.testkit.BenchStats;
import io.streamlearn.e2e.faults.RequestTracker;
import io.streamlearn.e2e.faults.ServingProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The failover benchmark behind {@code bench/failover.sh}: two {@code streamlearn serve} JVMs in one group with the
 * settings docs/serving.md recommends, a steady request stream, one instance SIGKILLed; the longest time any request
 * waited for its first answer (read_committed). Once with a replacement started at once under the same instance id
 * (what a restart policy does), once without; in both delivery modes; medians over rounds. Details go to stderr, one
 * {@code RESULT} line to stdout. Settings: {@code -Dbench.rounds} (3), {@code -Dbench.rate} requests/s (1000),
 * {@code -Dbench.afterKillSeconds} (25: longer than the session and transaction timeouts).
 */
public final class FailoverBench {
    private static final ModelSpec SPEC = ModelSpec.mlp("failover", 8, 4, 16);
    private static final Duration READY = Duration.ofSeconds(120);

    private FailoverBench() {}

    public static void main(String[] args) throws Exception {
        int rounds = Integer.getInteger("bench.rounds", 3);
        double rate = Double.parseDouble(System.getProperty("bench.rate", "1000"));
        int afterKill = Integer.getInteger("bench.afterKillSeconds", 25);
        Path work = Files.createTempDirectory("streamlearn-failover-bench-");
        Map<String, List<Double>> waits = new LinkedHashMap<>();
        List<String> violations = new ArrayList<>();
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().build().start()) {
            SnapshotStore store = new SnapshotStore(work.resolve("store"));
            SnapshotManifest v1 = ServingProcess.publishInitialized(store, SPEC);
            for (boolean exactlyOnce : new boolean[] {false, true}) {
                for (boolean replace : new boolean[] {true, false}) {
                    String key = (replace ? "replaced" : "alone") + "_" + (exactlyOnce ? "eos" : "alo");
                    for (int r = 1; r <= rounds; r++) {
                        double s = round(broker, store.root(), v1, work, key + "-" + r, exactlyOnce, replace, rate,
                                afterKill, violations);
                        waits.computeIfAbsent(key, k -> new ArrayList<>()).add(s);
                        System.err.printf(Locale.ROOT, "failover %s round %d: longest wait %.2f s%n", key, r, s);
                    }
                }
            }
        } finally {
            FileTrees.deleteRecursively(work);
        }
        StringBuilder line = new StringBuilder("RESULT");
        waits.forEach((k, v) -> line.append(' ').append(k).append("_max_wait_s=")
                .append(BenchStats.medianRange(v, "%.2f")));
        line.append(String.format(Locale.ROOT, " rounds=%d rate_per_s=%.0f violations=%d", rounds, rate,
                violations.size()));
        violations.forEach(v -> System.err.println("VIOLATION " + v));
        System.out.println(line);
        System.exit(violations.isEmpty() ? 0 : 1);
    }

    private static double round(EmbeddedKafkaBroker broker, Path store, SnapshotManifest v1, Path work, String name,
            boolean exactlyOnce, boolean replace, double rate, int afterKill, List<String> violations)
            throws Exception {
        Topics topics = new Topics("fo-" + name + ".");
        try (Admin admin = KafkaClients.admin(broker.bootstrapServers(), Map.of())) {
            topics.createAll(admin, 4, (short) 1);
        }
        try (KafkaProducer<byte[], byte[]> p = KafkaClients.producer(broker.bootstrapServers(), Map.of())) {
            p.send(new ProducerRecord<>(topics.models(), SPEC.name().getBytes(StandardCharsets.UTF_8),
                    v1.toJsonBytes())).get();
        }
        List<String> mode = exactlyOnce ? List.of("--exactly-once") : List.of();
        String group = topics.prefix() + "serving";
        Path logs = work.resolve("logs");
        List<ServingProcess> all = new ArrayList<>();
        try {
            ServingProcess a = ServingProcess.start("a", broker.bootstrapServers(), topics, store, SPEC.name(), group,
                    mode, logs);
            all.add(a);
            ServingProcess b = ServingProcess.start("b", broker.bootstrapServers(), topics, store, SPEC.name(), group,
                    mode, logs);
            all.add(b);
            a.awaitReady(READY);
            b.awaitReady(READY);
            try (RequestTracker requests = new RequestTracker(broker.bootstrapServers(), topics, SPEC.featureCount(),
                    rate, (int) (rate * (afterKill + 120)))) {
                long warm = System.nanoTime() + 5_000_000_000L;
                while (System.nanoTime() < warm || a.served() <= 0 || b.served() <= 0) {
                    Thread.sleep(100);
                }
                a.kill();
                if (replace) {
                    all.add(ServingProcess.start("a", broker.bootstrapServers(), topics, store, SPEC.name(), group,
                            mode, logs));
                }
                Thread.sleep(afterKill * 1_000L); // the stream's length after the kill is the benchmark's setting
                int sent = requests.stopSending();
                if (!requests.awaitAllAnswered(Duration.ofSeconds(120))) {
                    violations.add(name + ": " + requests.unanswered() + " of " + sent + " requests unanswered");
                }
                if (exactlyOnce && requests.answeredTwice() > 0) {
                    violations.add(name + ": " + requests.answeredTwice() + " requests answered twice");
                }
                if (requests.failure() != null) {
                    violations.add(name + ": " + requests.failure());
                }
                System.err.printf(Locale.ROOT, "failover %s: %d requests, %d predictions, %d answered twice%n", name,
                        sent, requests.predictions(), requests.answeredTwice());
                return requests.longestWaitMillis() / 1000.0;
            }
        } finally {
            all.forEach(ServingProcess::close);
        }
    }
}
