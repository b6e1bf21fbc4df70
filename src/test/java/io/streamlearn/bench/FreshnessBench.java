package io.streamlearn.bench;

import static io.streamlearn.core.testkit.BenchStats.medianRange;
import static io.streamlearn.core.testkit.BenchStats.percentile;

import io.prometheus.client.CollectorRegistry;
import io.streamlearn.app.SpecResolver;
import io.streamlearn.core.broker.EmbeddedKafkaBroker;
import io.streamlearn.core.example.Example;
import io.streamlearn.core.example.Features;
import io.streamlearn.core.io.FileTrees;
import io.streamlearn.core.kafka.KafkaClients;
import io.streamlearn.core.kafka.Topics;
import io.streamlearn.core.model.ModelSpec;
import io.streamlearn.core.snapshot.SnapshotManifest;
import io.streamlearn.core.snapshot.SnapshotStore;
import io.streamlearn.core.testkit.ExampleRecords;
import io.streamlearn.ingest.source.IdxSource;
import io.streamlearn.serving.PredictionService;
import io.streamlearn.serving.ServingConfig;
import io.streamlearn.serving.kafka.RequestLoop;
import io.streamlearn.trainer.job.TrainerConfig;
import io.streamlearn.trainer.job.TrainerJob;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;

/**
 * Freshness end to end, behind {@code bench/freshness.sh}: on one embedded broker, examples flow onto the examples
 * topic at a steady rate while the trainer job (Flink MiniCluster) trains and publishes and serving answers a steady
 * stream of requests. For every sampled example, freshness is the time from the example's produce timestamp to the
 * first prediction served by a version that trained on it: the first version whose manifest's {@code source_offsets}
 * lie past the example's offset, or any later one. So the wait for the batch, for the next checkpoint, the publish,
 * the announcement and the swap all count. Per round p50 and p99 over the examples of {@code bench.versions}
 * consecutive versions; medians over rounds with their range, once with the trainer's default settings and once with
 * the fast settings the README recommends. Details on stderr, one {@code RESULT} line on stdout.
 *
 * <p>Usage: {@code FreshnessBench [default|fast]...} (default: both); system properties {@code bench.rounds} (3),
 * {@code bench.versions} (versions per round, 20), {@code bench.rate} (examples/s, 1000), {@code bench.requestRate}
 * (requests/s, 200), {@code bench.sampleEvery} (every n-th example, 10), {@code bench.fastCheckpointMs} (500),
 * {@code bench.fastMaxWaitMs} (50).
 */
public final class FreshnessBench {
    private static final PrintStream ERR = System.err;
    private static final int WARM_UP_VERSIONS = 2;

    private final String bootstrap;
    private final ModelSpec spec = SpecResolver.resolve("mlp");
    private final int rounds = Integer.getInteger("bench.rounds", 3);
    private final int versionsPerRound = Integer.getInteger("bench.versions", 20);
    private final int rate = Integer.getInteger("bench.rate", 1_000);
    private final int requestRate = Integer.getInteger("bench.requestRate", 200);
    private final int sampleEvery = Integer.getInteger("bench.sampleEvery", 10);

    private FreshnessBench(String bootstrap) {
        this.bootstrap = bootstrap;
    }

    public static void main(String[] args) throws Exception {
        List<String> settings = args.length == 0 ? List.of("default", "fast") : List.of(args);
        StringBuilder result = new StringBuilder("RESULT");
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().build().start()) {
            FreshnessBench bench = new FreshnessBench(broker.bootstrapServers());
            for (String setting : settings) {
                boolean fast = switch (setting) {
                    case "default" -> false;
                    case "fast" -> true;
                    default -> throw new IllegalArgumentException("setting " + setting + ": use default or fast");
                };
                List<List<Double>> p = bench.run(setting, fast);
                String name = fast ? "fast_freshness" : "freshness";
                result.append(' ').append(name).append("_p50_ms=").append(medianRange(p.get(0), "%.0f"))
                        .append(' ').append(name).append("_p99_ms=").append(medianRange(p.get(1), "%.0f"));
            }
        }
        System.out.println(result.append(" rounds=").append(Integer.getInteger("bench.rounds", 3))
                .append(" versions_per_round=").append(Integer.getInteger("bench.versions", 20)));
        System.exit(0);
    }

    /** One job, one service, consecutive rounds of versions; returns the rounds' p50s and p99s (ms). */
    private List<List<Double>> run(String setting, boolean fast) throws Exception {
        long checkpointMs = fast ? Long.getLong("bench.fastCheckpointMs", 500) : 5_000L;
        long maxWaitMs = fast ? Long.getLong("bench.fastMaxWaitMs", 50) : 200L;
        Topics topics = new Topics("fresh-" + setting + ".");
        try (Admin admin = KafkaClients.admin(bootstrap, Map.of())) {
            topics.createAll(admin, 1, (short) 1);
        }
        Path storeDir = Files.createTempDirectory("streamlearn-bench-fresh-");
        SnapshotStore store = new SnapshotStore(storeDir);
        TrainerConfig.Builder trainer = TrainerConfig.builder().setBootstrapServers(bootstrap).setSpec(spec)
                .setStoreRoot(storeDir.toString()).optTopicPrefix(topics.prefix()).optDevice("auto");
        if (fast) {
            trainer.optCheckpointIntervalMs(checkpointMs).optMaxWaitMs(maxWaitMs);
        }
        ERR.printf(Locale.ROOT, "freshness, %s settings: checkpoint every %d ms, batch wait %d ms; %d examples/s, "
                + "%d requests/s%n", setting, checkpointMs, maxWaitMs, rate, requestRate);
        ServingConfig serving = ServingConfig.builder().setBootstrapServers(bootstrap).setModel(spec.name())
                .setStoreRoot(storeDir).optTopics(topics).build();
        long maxSeconds = (long) (rounds * versionsPerRound + WARM_UP_VERSIONS + 5) * checkpointMs * 4 / 1000 + 120;
        Examples examples = new Examples(topics.examples(), (int) (rate * maxSeconds));
        Predictions predictions = new Predictions(topics.predictions());
        JobClient job = TrainerJob.runLocal(trainer.build(), new Configuration());
        try (PredictionService service = new PredictionService(serving, new CollectorRegistry())) {
            service.start();
            examples.start();
            predictions.start();
            Thread requests = requests(topics.requests(), examples.running);
            List<List<Double>> out = List.of(new ArrayList<>(), new ArrayList<>());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(maxSeconds);
            long from = caughtUp(store, examples, checkpointMs, deadline, maxSeconds);
            for (int round = 1; round <= rounds; round++) {
                long to = from + versionsPerRound; // exclusive
                while (predictions.servedAtOrAbove(to) == null) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("v" + to + " was not served in " + maxSeconds + " s (served: "
                                + predictions.firstSeenMs.keySet() + ")");
                    }
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
                }
                long[] f = freshness(store, examples, predictions, from, to);
                double p50 = percentile(f, 0.50);
                double p99 = percentile(f, 0.99);
                out.get(0).add(p50);
                out.get(1).add(p99);
                ERR.printf(Locale.ROOT, "%s round %d: v%d..v%d, %d sampled examples: p50 %.0f ms, p99 %.0f ms, max %d "
                        + "ms%n", setting, round, from, to - 1, f.length, p50, p99,
                        f.length == 0 ? 0 : f[f.length - 1]);
                from = to;
            }
            examples.running.set(false);
            requests.join();
            long versions = store.versions(spec.name()).size();
            try (var files = Files.walk(storeDir)) {
                long bytes = files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
                ERR.printf(Locale.ROOT, "%s: %d versions published, %.1f MB each in the store%n", setting, versions,
                        bytes / 1e6 / Math.max(1, versions));
            }
            return out;
        } finally {
            examples.running.set(false);
            examples.join();
            predictions.close();
            job.cancel().get(60, TimeUnit.SECONDS);
            FileTrees.deleteRecursively(storeDir);
        }
    }

    /**
     * The first version to measure: after the warm-up ones, the first whose newest example was produced at most two
     * checkpoint intervals and a second before its publication. Examples flow from the start, while the job and
     * serving start up; the backlog of those seconds says nothing about the steady state, so it is drained first.
     */
    private long caughtUp(SnapshotStore store, Examples examples, long checkpointMs, long deadline, long maxSeconds)
            throws Exception {
        long lagLimitMs = 2 * checkpointMs + 1_000;
        long checked = 0;
        while (true) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the trainer did not catch up with " + rate + " examples/s within "
                        + maxSeconds + " s (a version published within " + lagLimitMs + " ms of its newest example)");
            }
            for (long v : store.versions(spec.name())) {
                if (v <= checked) {
                    continue;
                }
                checked = v;
                SnapshotManifest m = store.manifest(spec.name(), v);
                long next = m.sourceOffsets().getOrDefault(0, 0L);
                long lag = next > 0 ? m.createdMs() - examples.producedMs.get((int) next - 1) : Long.MAX_VALUE;
                if (v > WARM_UP_VERSIONS && lag <= lagLimitMs) {
                    ERR.printf(Locale.ROOT, "caught up at v%d (%d ms behind its newest example): measuring from v%d%n",
                            v, lag, v + 1);
                    return v + 1;
                }
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
        }
    }

    /**
     * Freshness (ms, sorted) of the sampled examples that versions [from, to) were the first to cover: offsets from
     * the previous published version's source offset up to theirs.
     */
    private long[] freshness(SnapshotStore store, Examples examples, Predictions predictions, long from, long to)
            throws Exception {
        List<Long> out = new ArrayList<>();
        long previousNext = -1;
        for (long v : store.versions(spec.name())) {
            SnapshotManifest m = store.manifest(spec.name(), v);
            long next = m.sourceOffsets().getOrDefault(0, 0L);
            if (v >= from && v < to && previousNext >= 0) {
                Long served = predictions.servedAtOrAbove(v);
                long newest = next > 0 ? examples.producedMs.get((int) next - 1) : 0;
                ERR.printf(Locale.ROOT, "v%d: offsets [%d, %d), published %d ms after its newest example was produced, "
                        + "first served %s ms after that%n", v, previousNext, next, m.createdMs() - newest,
                        served == null ? "never" : Long.toString(served - m.createdMs()));
                for (long o = previousNext; o < next && served != null; o++) {
                    if (o % sampleEvery == 0) {
                        long producedMs = examples.producedMs.get((int) o);
                        if (producedMs > 0) {
                            out.add(served - producedMs);
                        }
                    }
                }
            }
            previousNext = Math.max(previousNext, next);
        }
        return out.stream().mapToLong(Long::longValue).sorted().toArray();
    }

    /** Requests at {@code requestRate} until {@code running} turns false, so every swap is seen within ms. */
    private Thread requests(String topic, AtomicBoolean running) {
        Thread t = new Thread(() -> {
            byte[] row = new byte[spec.featureCount()];
            try (KafkaProducer<byte[], byte[]> p = KafkaClients.producer(bootstrap, Map.of("linger.ms", "0"))) {
                long interval = 1_000_000_000L / requestRate;
                long at = System.nanoTime();
                for (int n = 0; running.get(); n++) {
                    long wait = at - System.nanoTime();
                    if (wait > 0) {
                        LockSupport.parkNanos(wait);
                    }
                    p.send(ExampleRecords.binary(topic, Example.request("q" + n, Features.ofUint8(row))));
                    at += interval;
                }
            }
        }, "bench-requests");
        t.start();
        return t;
    }

    /** Fashion-MNIST train in a loop (seeded random images when Debian's copy is missing), at {@code rate}. */
    private final class Examples extends Thread {
        final AtomicBoolean running = new AtomicBoolean(true);
        final AtomicLongArray producedMs;
        private final String topic;

        Examples(String topic, int capacity) {
            super("bench-examples");
            this.topic = topic;
            this.producedMs = new AtomicLongArray(capacity);
        }

        @Override
        public void run() {
            List<Example> data = load();
            try (KafkaProducer<byte[], byte[]> p = KafkaClients.producer(bootstrap, Map.of("linger.ms", "0"))) {
                long interval = 1_000_000_000L / rate;
                long at = System.nanoTime();
                for (int n = 0; running.get() && n < producedMs.length(); n++) {
                    long wait = at - System.nanoTime();
                    if (wait > 0) {
                        LockSupport.parkNanos(wait);
                    }
                    Example e = data.get(n % data.size());
                    Example labeled = Example.labeled("e" + n, e.features(), e.label());
                    p.send(ExampleRecords.binary(topic, labeled), (md, err) -> {
                        if (err == null && md.offset() < producedMs.length()) {
                            producedMs.set((int) md.offset(), md.timestamp());
                        }
                    });
                    at += interval;
                }
            }
        }

        private List<Example> load() {
            List<Example> out = new ArrayList<>();
            if (Files.isDirectory(IdxSource.FASHION_MNIST_DIR)) {
                try (IdxSource src = IdxSource.open("fashion-mnist/train")) {
                    while (src.hasNext()) {
                        out.add(src.next());
                    }
                }
                return out;
            }
            ERR.println("Debian's dataset-fashion-mnist is missing: seeded random images instead");
            Random random = new Random(7);
            for (int i = 0; i < 10_000; i++) {
                byte[] row = new byte[spec.featureCount()];
                random.nextBytes(row);
                out.add(Example.labeled("s" + i, Features.ofUint8(row), (row[0] & 0xff) % 10));
            }
            return out;
        }
    }

    /** Reads the predictions topic: the Kafka timestamp of the first prediction of each version. */
    private final class Predictions extends Thread implements AutoCloseable {
        final ConcurrentSkipListMap<Long, Long> firstSeenMs = new ConcurrentSkipListMap<>();
        private final Map<String, Long> versions = new ConcurrentHashMap<>();
        private final KafkaConsumer<byte[], byte[]> consumer;
        private final AtomicBoolean stop = new AtomicBoolean();

        Predictions(String topic) {
            super("bench-predictions");
            consumer = KafkaClients.consumer(bootstrap, null, Map.of());
            List<TopicPartition> parts = consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
        }

        /** The first prediction of version {@code v} or a later one (ms), or null while none was read. */
        Long servedAtOrAbove(long v) {
            Long min = null;
            for (Long ms : firstSeenMs.tailMap(v).values()) {
                min = min == null ? ms : Math.min(min, ms);
            }
            return min;
        }

        @Override
        public void run() {
            while (!stop.get()) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(50))) {
                    Header h = r.headers().lastHeader(RequestLoop.MODEL_VERSION_HEADER);
                    if (h != null) {
                        String v = new String(h.value(), StandardCharsets.UTF_8);
                        firstSeenMs.putIfAbsent(versions.computeIfAbsent(v, Long::parseLong), r.timestamp());
                    }
                }
            }
        }

        @Override
        public void close() throws InterruptedException {
            stop.set(true);
            join();
            consumer.close();
        }
    }
}
