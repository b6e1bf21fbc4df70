package io.streamlearn.serving;

import io.prometheus.client.CollectorRegistry;
import io.streamlearn.core.broker.EmbeddedKafkaBroker;
import io.streamlearn.core.example.Example;
import io.streamlearn.core.example.Features;
import io.streamlearn.core.kafka.KafkaClients;
import io.streamlearn.core.kafka.Topics;
import io.streamlearn.core.model.ModelSpec;
import io.streamlearn.core.snapshot.SnapshotManifest;
import io.streamlearn.core.snapshot.SnapshotStore;
import io.streamlearn.core.testkit.ExampleRecords;
import io.streamlearn.serving.kafka.RequestLoop;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * The serving benchmark behind {@code bench/serving.sh} (test scope, not a test): on one embedded broker,
 * Kafka's own EndToEndLatency tool, request-to-prediction round trips at fixed rates, freshness over
 * several swaps, and the maximum sustained predictions/s of a backlog. Details go to stderr; stdout gets
 * exactly one {@code RESULT} line.
 *
 * <p>Usage: {@code ServingBench SPEC_JSON} (e.g. {@code specs/mlp.json}); system properties
 * {@code bench.seconds} (per fixed-rate phase, default 5), {@code bench.backlog} (requests drained for the
 * maximum, default 200000), {@code bench.swaps} (default 5), {@code bench.latencyMaxWaitMicros} (200),
 * {@code bench.maxBatch} (1024, throughput phase), {@code bench.maxWaitMicros} (2000, throughput phase).
 */
public final class ServingBench {
    private static final PrintStream ERR = System.err;
    private static final int POOL = 64;

    private final String bootstrap;
    private final ModelSpec spec;
    private final SnapshotStore store;
    private final byte[][] pool;

    private ServingBench(String bootstrap, ModelSpec spec, SnapshotStore store) {
        this.bootstrap = bootstrap;
        this.spec = spec;
        this.store = store;
        Random random = new Random(42);
        this.pool = new byte[POOL][spec.featureCount()];
        for (byte[] row : pool) {
            random.nextBytes(row);
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: ServingBench SPEC_JSON (e.g. specs/mlp.json)");
        }
        ModelSpec spec = ModelSpec.read(Path.of(args[0]));
        int seconds = Integer.getInteger("bench.seconds", 5);
        Path storeDir = Files.createTempDirectory("streamlearn-bench-store-");
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().build().start()) {
            ServingBench bench = new ServingBench(broker.bootstrapServers(), spec, new SnapshotStore(storeDir));
            double[] kafka = bench.kafkaEndToEnd();
            double[] latency = bench.latencyAndFreshness(seconds);
            double maxPerS = bench.maxThroughput();
            double p50 = latency[0];
            double p99 = latency[1];
            double swapP99 = latency[4];
            ERR.printf(Locale.ROOT, "kafka EndToEndLatency tool: p50=%.0f ms p99=%.0f ms (integer ms); plain "
                    + "produce->consume with our clients: p50=%.3f ms p99=%.3f ms%n", kafka[0], kafka[1], kafka[2],
                    kafka[3]);
            ERR.printf(Locale.ROOT, "round trip at 10,000/s: p50=%.3f ms p99=%.3f ms%n", latency[2], latency[3]);
            double twoHops = 2 * kafka[1];
            System.out.printf(Locale.ROOT, "RESULT p50_ms=%.3f p99_ms=%.3f kafka_p99_ms=%.3f p99_vs_two_hops=%.2f "
                    + "max_per_s=%.0f swap_p99_ms=%.1f%n", p50, p99, kafka[1], p99 / twoHops, maxPerS, swapP99);
        } finally {
            ServingTestKit.deleteTree(storeDir);
        }
    }

    /**
     * Kafka's own end-to-end latency on this broker: {@code org.apache.kafka.tools.EndToEndLatency} (acks=all,
     * 800-byte records, run in this JVM), and the same hop measured with our client settings in nanoseconds.
     * Returns tool p50, tool p99, plain p50, plain p99 (ms).
     */
    private double[] kafkaEndToEnd() throws Exception {
        try (Admin admin = KafkaClients.admin(bootstrap, Map.of())) {
            admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic("bench.e2e", 1, (short) 1),
                    new org.apache.kafka.clients.admin.NewTopic("bench.hop", 1, (short) 1))).all().get();
        }
        String[] args = {"--bootstrap-server", bootstrap, "--topic", "bench.e2e", "--num-records", "5000",
                "--producer-acks", "all", "--record-size", "800"};
        Class<?> tool = Class.forName("org.apache.kafka.tools.EndToEndLatency");
        // mainNoExit: main would call Exit.exit; the tool prints its percentiles to stdout, which is ours.
        Method run = tool.getDeclaredMethod("mainNoExit", String[].class);
        run.setAccessible(true);
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        int rc;
        try {
            rc = (Integer) run.invoke(null, (Object) args);
        } finally {
            System.setOut(stdout);
        }
        String out = captured.toString(StandardCharsets.UTF_8);
        Matcher m = Pattern.compile("Percentiles: 50th = (\\d+), 99th = (\\d+)").matcher(out);
        if (rc != 0 || !m.find()) {
            throw new IllegalStateException("EndToEndLatency failed (exit " + rc + "): " + out);
        }
        double toolP50 = Double.parseDouble(m.group(1));
        double toolP99 = Double.parseDouble(m.group(2));

        // The same hop with our clients (acks=all, linger 0), timed in nanoseconds.
        long[] hops = new long[3000];
        try (KafkaProducer<byte[], byte[]> p = KafkaClients.producer(bootstrap, Map.of("linger.ms", "0"));
                KafkaConsumer<byte[], byte[]> c = KafkaClients.consumer(bootstrap, null, Map.of())) {
            TopicPartition tp = new TopicPartition("bench.hop", 0);
            c.assign(List.of(tp));
            c.seekToEnd(List.of(tp));
            c.position(tp);
            byte[] value = new byte[800];
            for (int i = -500; i < hops.length; i++) {
                long t0 = System.nanoTime();
                p.send(new ProducerRecord<>("bench.hop", value));
                int got = 0;
                while (got == 0) {
                    got = c.poll(Duration.ofSeconds(5)).count();
                }
                if (i >= 0) {
                    hops[i] = System.nanoTime() - t0;
                }
            }
        }
        Arrays.sort(hops);
        return new double[] {toolP50, toolP99, ms(pct(hops, 0.50)), ms(pct(hops, 0.99))};
    }

    /**
     * Round trips (request sent -> its prediction read) at 1,000/s and 10,000/s, and freshness (announcement
     * -> first prediction made with the version, by the prediction's Kafka timestamp) over several swaps.
     * Returns p50 and p99 at 1,000/s, p50 and p99 at 10,000/s, swap p99 (ms).
     */
    private double[] latencyAndFreshness(int seconds) throws Exception {
        Topics topics = new Topics("bench.");
        try (Admin admin = KafkaClients.admin(bootstrap, Map.of())) {
            topics.createAll(admin, 2, (short) 1);
        }
        int swaps = Integer.getInteger("bench.swaps", 5);
        int capacity = (1_000 + 1_000 + 10_000) * seconds + 2_000 * (swaps + 1) + 10_000;
        ServingConfig config = ServingConfig.builder().setBootstrapServers(bootstrap).setModel(spec.name())
                .setStoreRoot(store.root()).optTopics(topics).optGroupId("bench-latency").optMaxBatch(256)
                .optMaxWaitMicros(Long.getLong("bench.latencyMaxWaitMicros", 200)).build();
        SnapshotManifest v1 = ServingTestKit.publish(store, spec);
        CollectorRegistry registry = new CollectorRegistry();
        try (PredictionService service = new PredictionService(config, registry);
                KafkaProducer<byte[], byte[]> producer = KafkaClients.producer(bootstrap, Map.of("linger.ms", "0"));
                Receiver receiver = new Receiver(bootstrap, topics.predictions(), capacity)) {
            service.start();
            ServingTestKit.announce(producer, topics, v1);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!service.isReady()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("serving not ready after 60 s");
                }
                LockSupport.parkNanos(10_000_000);
            }
            receiver.start();
            Sender sender = new Sender(producer, topics, receiver);
            sender.run(1_000, seconds); // warm-up: JIT, first fetches, the first batches
            int from = sender.next();
            sender.run(1_000, seconds);
            long[] at1k = receiver.await(from, sender.next());
            serverSide(registry, "1,000/s");
            from = sender.next();
            sender.run(10_000, seconds);
            long[] at10k = receiver.await(from, sender.next());
            serverSide(registry, "1,000/s and 10,000/s");
            ERR.printf(Locale.ROOT, "1,000/s: %d requests; 10,000/s: %d requests%n", at1k.length, at10k.length);

            List<Long> freshness = new ArrayList<>();
            for (int i = 0; i < swaps; i++) {
                SnapshotManifest m = ServingTestKit.publish(store, spec);
                long announcedMs = System.currentTimeMillis();
                ServingTestKit.announce(producer, topics, m);
                // Requests keep flowing at 1,000/s until a prediction with the new version was read.
                while (receiver.firstSeenMs(m.version()) == null) {
                    sender.run(1_000, 0.05);
                }
                sender.run(1_000, 0.2);
                long delay = receiver.firstSeenMs(m.version()) - announcedMs;
                freshness.add(delay);
                ERR.printf(Locale.ROOT, "swap to v%d: first prediction %d ms after the announcement%n", m.version(),
                        delay);
            }
            long[] f = freshness.stream().mapToLong(Long::longValue).sorted().toArray();
            return new double[] {ms(pct(at1k, 0.50)), ms(pct(at1k, 0.99)), ms(pct(at10k, 0.50)),
                    ms(pct(at10k, 0.99)), pct(f, 0.99)};
        }
    }

    /** Predictions/s while a fresh service drains a backlog of requests written before it started. */
    private double maxThroughput() throws Exception {
        Topics topics = new Topics("bench-max.");
        try (Admin admin = KafkaClients.admin(bootstrap, Map.of())) {
            topics.createAll(admin, 2, (short) 1);
        }
        int backlog = Integer.getInteger("bench.backlog", 200_000);
        try (KafkaProducer<byte[], byte[]> producer = KafkaClients.producer(bootstrap, Map.of())) {
            for (int i = 0; i < backlog; i++) {
                producer.send(request(topics, "m" + i, i));
            }
            producer.flush();
        }
        ServingConfig config = ServingConfig.builder().setBootstrapServers(bootstrap).setModel(spec.name())
                .setStoreRoot(store.root()).optTopics(topics).optGroupId("bench-max")
                .optMaxBatch(Integer.getInteger("bench.maxBatch", 1024))
                .optMaxWaitMicros(Long.getLong("bench.maxWaitMicros", 2_000)).build();
        try (PredictionService service = new PredictionService(config, new CollectorRegistry());
                KafkaProducer<byte[], byte[]> producer = KafkaClients.producer(bootstrap, Map.of())) {
            service.start();
            ServingTestKit.announce(producer, topics, store.latest(spec.name()).orElseThrow());
            long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
            while (service.served() == 0) {
                LockSupport.parkNanos(1_000_000);
            }
            long t0 = System.nanoTime();
            long s0 = service.served();
            while (service.served() + service.rejected() < backlog && System.nanoTime() < deadline) {
                LockSupport.parkNanos(1_000_000);
            }
            long t1 = System.nanoTime();
            long s1 = service.served();
            double rate = (s1 - s0) / ((t1 - t0) / 1e9);
            ERR.printf(Locale.ROOT, "backlog of %d: %d served in %.2f s after the first batch: %.0f predictions/s "
                    + "(rejected %d)%n", backlog, s1, (t1 - t0) / 1e9, rate, service.rejected());
            return rate;
        }
    }

    /** Serving's own view so far: mean time from arrival to prediction, mean batch size. */
    private static void serverSide(CollectorRegistry registry, String phase) {
        double latencySum = registry.getSampleValue("streamlearn_serving_latency_seconds_sum");
        double latencyCount = registry.getSampleValue("streamlearn_serving_latency_seconds_count");
        double batchSum = registry.getSampleValue("streamlearn_serving_batch_size_sum");
        double batchCount = registry.getSampleValue("streamlearn_serving_batch_size_count");
        ERR.printf(Locale.ROOT, "serving's view up to %s: mean arrival->prediction %.3f ms, mean batch %.1f%n", phase,
                latencySum / latencyCount * 1e3, batchSum / batchCount);
    }

    private ProducerRecord<byte[], byte[]> request(Topics topics, String id, int n) {
        return ExampleRecords.binary(topics.requests(), Example.request(id, Features.ofUint8(pool[n % POOL])));
    }

    private static long pct(long[] sorted, double q) {
        if (sorted.length == 0) {
            return 0;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)];
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    /** Sends requests L0, L1, ... at a fixed rate, recording each send time with the receiver. */
    private final class Sender {
        private final KafkaProducer<byte[], byte[]> producer;
        private final Topics topics;
        private final Receiver receiver;
        private int next;

        Sender(KafkaProducer<byte[], byte[]> producer, Topics topics, Receiver receiver) {
            this.producer = producer;
            this.topics = topics;
            this.receiver = receiver;
        }

        int next() {
            return next;
        }

        void run(int perSecond, double seconds) {
            long count = Math.round(perSecond * seconds);
            long interval = 1_000_000_000L / perSecond;
            long at = System.nanoTime();
            for (long i = 0; i < count; i++) {
                long wait = at - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                int n = next++;
                ProducerRecord<byte[], byte[]> r = request(topics, "L" + n, n);
                receiver.sent(n, System.nanoTime());
                producer.send(r);
                at += interval;
            }
        }
    }

    /** Reads the predictions topic, matching each prediction to its request by the correlation-id header. */
    private static final class Receiver implements AutoCloseable {
        private final KafkaConsumer<byte[], byte[]> consumer;
        private final AtomicLongArray sentNanos;
        private final AtomicLongArray latencyNanos;
        private final Map<Long, Long> firstSeenMs = new ConcurrentHashMap<>();
        private final AtomicBoolean stop = new AtomicBoolean();
        private final Thread thread;

        Receiver(String bootstrap, String topic, int capacity) {
            this.sentNanos = new AtomicLongArray(capacity);
            this.latencyNanos = new AtomicLongArray(capacity);
            this.consumer = KafkaClients.consumer(bootstrap, null, Map.of());
            List<TopicPartition> parts = consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            this.thread = new Thread(this::run, "bench-receiver");
        }

        void start() {
            thread.start();
        }

        void sent(int n, long nanos) {
            sentNanos.set(n, nanos);
        }

        Long firstSeenMs(long version) {
            return firstSeenMs.get(version);
        }

        private void run() {
            Map<String, Long> versions = new HashMap<>();
            while (!stop.get()) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(50))) {
                    long now = System.nanoTime();
                    String id = ServingTestKit.header(r, RequestLoop.CORRELATION_ID_HEADER);
                    if (id != null && id.startsWith("L")) {
                        int n = Integer.parseInt(id.substring(1));
                        if (latencyNanos.get(n) == 0) {
                            latencyNanos.set(n, now - sentNanos.get(n));
                        }
                    }
                    String v = ServingTestKit.header(r, RequestLoop.MODEL_VERSION_HEADER);
                    if (v != null) {
                        long version = versions.computeIfAbsent(v, Long::parseLong);
                        firstSeenMs.putIfAbsent(version, r.timestamp());
                    }
                }
            }
        }

        /** Waits until every request in [from, to) has its prediction; returns their latencies, sorted. */
        long[] await(int from, int to) {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            long[] out = new long[to - from];
            for (int i = from; i < to; i++) {
                while (latencyNanos.get(i) == 0) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("request L" + i + " has no prediction after 60 s");
                    }
                    LockSupport.parkNanos(1_000_000);
                }
                out[i - from] = latencyNanos.get(i);
            }
            Arrays.sort(out);
            return out;
        }

        @Override
        public void close() throws InterruptedException {
            stop.set(true);
            thread.join();
            consumer.close();
        }
    }
}
