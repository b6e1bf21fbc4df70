package io.streamlearn.serving;

import static io.streamlearn.core.testkit.BenchStats.medianRange;
import static io.streamlearn.core.testkit.BenchStats.percentile;

import io.prometheus.client.CollectorRegistry;
import io.streamlearn.core.broker.EmbeddedKafkaBroker;
import io.streamlearn.core.example.Features;
import io.streamlearn.core.kafka.KafkaClients;
import io.streamlearn.core.kafka.Topics;
import io.streamlearn.core.model.ModelSpec;
import io.streamlearn.core.snapshot.SnapshotManifest;
import io.streamlearn.core.snapshot.SnapshotStore;
import io.streamlearn.serving.BenchTraffic.Receiver;
import io.streamlearn.serving.BenchTraffic.Sender;
import io.streamlearn.serving.model.InferencePrecision;
import io.streamlearn.serving.model.LoadedModel;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;

/**
 * The serving benchmark behind {@code bench/serving.sh} (test scope, not a test). On one embedded broker, each round
 * measures, with the same Kafka clients and the same {@link ServingProfile}: a plain produce-to-consume hop at
 * 1,000 requests/s (the reference: serving's round trip is two such hops plus the model), the request-to-prediction
 * round trip at 1,000/s and 10,000/s, the delay from a new version's announcement to its first prediction, and the
 * maximum predictions/s draining a backlog against a {@link BarePipe} draining the same requests without a model,
 * with the forward pass in float32 and in bfloat16 ({@code --precision}).
 * Details go to stderr; stdout gets exactly one {@code RESULT} line of medians over the rounds with their range.
 *
 * <p>Usage: {@code ServingBench SPEC_JSON} (e.g. {@code specs/mlp.json}); system properties {@code bench.rounds}
 * (default 3), {@code bench.seconds} (steady window at 1,000/s, default 20), {@code bench.seconds10k} (5),
 * {@code bench.backlog} (requests drained for the maximum, 400000), {@code bench.swaps} (per round, 5),
 * {@code bench.profile} (latency|throughput, serving's default), {@code bench.maxBatch} (serving's default).
 */
public final class ServingBench {
    private static final PrintStream ERR = System.err;
    private static final int WARM_UP_SECONDS = 3;

    private final String bootstrap;
    private final ModelSpec spec;
    private final SnapshotStore store;
    private final byte[][] pool;
    private final ServingProfile profile = ServingProfile.parse(System.getProperty("bench.profile",
            ServingSettings.PROFILE.defaultValue().toString()));
    private final int maxBatch = Integer.getInteger("bench.maxBatch", ServingSettings.MAX_BATCH.defaultValue());
    private final int seconds = Integer.getInteger("bench.seconds", 20);
    private final int seconds10k = Integer.getInteger("bench.seconds10k", 5);
    private final int swaps = Integer.getInteger("bench.swaps", 5);
    private final int backlog = Integer.getInteger("bench.backlog", 400_000);
    private final Map<String, List<Double>> results = new LinkedHashMap<>();

    private ServingBench(String bootstrap, ModelSpec spec, SnapshotStore store) {
        this.bootstrap = bootstrap;
        this.spec = spec;
        this.store = store;
        this.pool = BenchTraffic.pool(spec.featureCount());
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: ServingBench SPEC_JSON (e.g. specs/mlp.json)");
        }
        ModelSpec spec = ModelSpec.read(Path.of(args[0]));
        int rounds = Integer.getInteger("bench.rounds", 3);
        Path storeDir = Files.createTempDirectory("streamlearn-bench-store-");
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().build().start()) {
            ServingBench bench = new ServingBench(broker.bootstrapServers(), spec, new SnapshotStore(storeDir));
            ServingTestKit.publish(bench.store, spec);
            bench.warmUpDrains();
            for (int round = 1; round <= rounds; round++) {
                bench.round(round);
            }
            System.out.println(bench.resultLine(rounds));
        } finally {
            ServingTestKit.deleteTree(storeDir);
        }
    }

    private void round(int round) throws Exception {
        ERR.printf(Locale.ROOT, "round %d, profile %s, max batch %d%n", round, profile, maxBatch);
        double hopP99 = ownHop(round);
        double[] latency = latencyAndSwaps(round);
        Topics backlog = backlog("bench-max-" + round + ".");
        // The pipe drains before and after serving, each in its own group, and the reference is their mean: a
        // single drain of a few seconds moved by a fifth between rounds, and always came last.
        double pipeBefore = pipe(backlog, "bench-pipe-before");
        // The two precisions take turns at going first.
        boolean floatFirst = round % 2 == 1;
        double max = floatFirst ? maxThroughput(backlog, InferencePrecision.FLOAT32) : 0;
        double maxReduced = maxThroughput(backlog, InferencePrecision.BFLOAT16);
        if (!floatFirst) {
            max = maxThroughput(backlog, InferencePrecision.FLOAT32);
        }
        double pipe = (pipeBefore + pipe(backlog, "bench-pipe-after")) / 2;
        double model = modelOnly(InferencePrecision.FLOAT32);
        double modelReduced = modelOnly(InferencePrecision.BFLOAT16);
        double agree = reducedAgreement();
        add("p50_ms", latency[0]);
        add("p99_ms", latency[1]);
        add("own_hop_p99_ms", hopP99);
        add("p99_vs_own_two_hops", latency[1] / (2 * hopP99));
        add("p99_10k_ms", latency[3]);
        add("max_per_s", max);
        add("pipe_per_s", pipe);
        add("max_vs_pipe", max / pipe);
        add("max_bf16_per_s", maxReduced);
        add("max_bf16_vs_pipe", maxReduced / pipe);
        add("model_only_per_s", model);
        add("model_only_bf16_per_s", modelReduced);
        add("bf16_top1_agree", agree);
        add("swap_p99_ms", latency[4]);
        ERR.printf(Locale.ROOT, "round %d: 1,000/s p50 %.3f ms p99 %.3f ms, own hop p99 %.3f ms (ratio %.2f); 10,000/s "
                + "p50 %.3f ms p99 %.3f ms; max %.0f/s, bare pipe %.0f/s (ratio %.2f), model alone %.0f/s; swap p99 "
                + "%.0f ms%n",
                round, latency[0], latency[1], hopP99, latency[1] / (2 * hopP99), latency[2], latency[3], max, pipe,
                max / pipe, model, latency[4]);
        ERR.printf(Locale.ROOT, "round %d, --precision bfloat16: max %.0f/s (ratio %.2f), model alone %.0f/s, top-1 "
                + "answers as float32's %.4f%n", round, maxReduced, maxReduced / pipe, modelReduced, agree);
    }

    private String resultLine(int rounds) {
        StringBuilder line = new StringBuilder("RESULT profile=" + profile);
        results.forEach((name, values) -> line.append(' ').append(name).append('=').append(medianRange(values,
                name.contains("vs") ? "%.2f" : name.contains("agree") ? "%.4f" : name.endsWith("per_s") || name.startsWith("swap") ? "%.0f" : "%.3f")));
        return line.append(" rounds=").append(rounds).toString();
    }

    private void add(String name, double value) {
        results.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
    }

    private Topics createTopics(String prefix) throws Exception {
        Topics topics = new Topics(prefix);
        try (Admin admin = KafkaClients.admin(bootstrap, Map.of())) {
            topics.createAll(admin, 2, (short) 1);
        }
        return topics;
    }

    /** p99 (ms) of a plain hop at 1,000/s: the same sender and receiver clients on a requests topic, no serving. */
    private double ownHop(int round) throws Exception {
        Topics topics = createTopics("bench-hop-" + round + ".");
        int capacity = 1_000 * (WARM_UP_SECONDS + seconds) + 1_000;
        try (KafkaProducer<byte[], byte[]> producer = KafkaClients.producer(bootstrap, profile.producer(Map.of()));
                Receiver receiver = new Receiver(bootstrap, topics.requests(), capacity, profile.consumer(Map.of()))) {
            Sender sender = new Sender(producer, topics.requests(), pool, receiver);
            sender.run(1_000, WARM_UP_SECONDS);
            int from = sender.next();
            sender.run(1_000, seconds);
            long[] hops = receiver.await(from, sender.next());
            ERR.printf(Locale.ROOT, "plain hop at 1,000/s: p50=%.3f ms p99=%.3f ms (%d records)%n",
                    ms(percentile(hops, 0.50)), ms(percentile(hops, 0.99)), hops.length);
            return ms(percentile(hops, 0.99));
        }
    }

    /**
     * Round trips (request sent -> its prediction read) at 1,000/s and 10,000/s, and swaps (announcement -> first
     * prediction made with the version, by the prediction's Kafka timestamp). Returns p50 and p99 at 1,000/s, p50 and
     * p99 at 10,000/s, swap p99 (ms).
     */
    private double[] latencyAndSwaps(int round) throws Exception {
        Topics topics = createTopics("bench-" + round + ".");
        int capacity = 1_000 * (WARM_UP_SECONDS + seconds) + 10_000 * seconds10k + 1_500 * (swaps + 1) + 10_000;
        ServingConfig config = ServingConfig.builder().setBootstrapServers(bootstrap).setModel(spec.name())
                .setStoreRoot(store.root()).optTopics(topics).optGroupId("bench-latency-" + round).optProfile(profile)
                .optMaxBatch(maxBatch).build();
        CollectorRegistry registry = new CollectorRegistry();
        try (PredictionService service = new PredictionService(config, registry);
                KafkaProducer<byte[], byte[]> producer = KafkaClients.producer(bootstrap, profile.producer(Map.of()));
                Receiver receiver = new Receiver(bootstrap, topics.predictions(), capacity,
                        profile.consumer(Map.of()))) {
            service.start();
            ServingTestKit.announce(producer, topics, store.latest(spec.name()).orElseThrow());
            awaitReady(service);
            Sender sender = new Sender(producer, topics.requests(), pool, receiver);
            sender.run(1_000, WARM_UP_SECONDS); // JIT, first fetches, the first batches
            int from = sender.next();
            sender.run(1_000, seconds);
            long[] at1k = receiver.await(from, sender.next());
            serverSide(registry, "1,000/s");
            from = sender.next();
            sender.run(10_000, seconds10k);
            long[] at10k = receiver.await(from, sender.next());
            serverSide(registry, "1,000/s and 10,000/s");

            long[] swapMs = new long[swaps];
            for (int i = 0; i < swaps; i++) {
                SnapshotManifest m = ServingTestKit.publish(store, spec);
                long announcedMs = System.currentTimeMillis();
                ServingTestKit.announce(producer, topics, m);
                // Requests keep flowing at 1,000/s until a prediction with the new version was read.
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (receiver.firstSeenMs(m.version()) == null) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("no prediction of v" + m.version() + " 60 s after it was "
                                + "announced");
                    }
                    sender.run(1_000, 0.05);
                }
                swapMs[i] = receiver.firstSeenMs(m.version()) - announcedMs;
                ERR.printf(Locale.ROOT, "swap to v%d: first prediction %d ms after the announcement%n", m.version(),
                        swapMs[i]);
            }
            Arrays.sort(swapMs);
            return new double[] {ms(percentile(at1k, 0.50)), ms(percentile(at1k, 0.99)), ms(percentile(at10k, 0.50)),
                    ms(percentile(at10k, 0.99)), percentile(swapMs, 0.99)};
        }
    }

    /**
     * Drains one backlog with each contender before the first round, untimed: the first drain of a JVM runs while
     * the JIT still compiles the Kafka clients' paths (its compiler threads then take a core of two), and the drain
     * after it would find them compiled.
     */
    private void warmUpDrains() throws Exception {
        ERR.println("warm-up: one untimed backlog drain by each contender");
        Topics topics = backlog("bench-warm-up.");
        maxThroughput(topics, InferencePrecision.FLOAT32);
        maxThroughput(topics, InferencePrecision.BFLOAT16);
        pipe(topics, "bench-pipe");
    }

    /** Writes a backlog of requests to fresh topics under {@code prefix}, before any reader starts. */
    private Topics backlog(String prefix) throws Exception {
        Topics topics = createTopics(prefix);
        try (KafkaProducer<byte[], byte[]> producer = KafkaClients.producer(bootstrap, Map.of())) {
            for (int i = 0; i < backlog; i++) {
                producer.send(BenchTraffic.request(topics.requests(), pool, "m" + i, i));
            }
            producer.flush();
        }
        return topics;
    }

    /**
     * Predictions/s while a fresh service, in its own group, drains this round's backlog with the forward pass in
     * {@code precision}, after its first batch.
     */
    private double maxThroughput(Topics topics, InferencePrecision precision) throws Exception {
        ServingConfig config = ServingConfig.builder().setBootstrapServers(bootstrap).setModel(spec.name())
                .setStoreRoot(store.root()).optTopics(topics).optGroupId("bench-max-" + precision).optProfile(profile)
                .optMaxBatch(maxBatch).optPrecision(precision).build();
        CollectorRegistry registry = new CollectorRegistry();
        try (PredictionService service = new PredictionService(config, registry);
                KafkaProducer<byte[], byte[]> producer = KafkaClients.producer(bootstrap, Map.of())) {
            service.start();
            ServingTestKit.announce(producer, topics, store.latest(spec.name()).orElseThrow());
            long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
            while (service.served() == 0 && System.nanoTime() < deadline) {
                LockSupport.parkNanos(1_000_000);
            }
            long t0 = System.nanoTime();
            long s0 = service.served();
            ThreadCpu cpu0 = ThreadCpu.now();
            while (service.served() + service.rejected() < backlog && System.nanoTime() < deadline) {
                LockSupport.parkNanos(1_000_000);
            }
            long t1 = System.nanoTime();
            long s1 = service.served();
            ERR.printf(Locale.ROOT, "serving's CPU per prediction (%s): %s%n", precision, ThreadCpu.now().perRecordSince(cpu0,
                    s1 - s0));
            if (s1 + service.rejected() < backlog || service.rejected() > 0) {
                throw new IllegalStateException("serving answered " + s1 + " and rejected " + service.rejected()
                        + " of a backlog of " + backlog + " valid requests");
            }
            double rate = (s1 - s0) / ((t1 - t0) / 1e9);
            ERR.printf(Locale.ROOT, "backlog of %d: served in %.2f s after the first batch: %.0f predictions/s%n",
                    backlog, (t1 - t0) / 1e9, rate);
            serverSide(registry, "the backlog's end (" + precision + ")");
            return rate;
        }
    }

    /** Answers/s of the bare pipe draining the same backlog (its own group) with the same clients and poll size. */
    private double pipe(Topics topics, String group) {
        String requests = topics.requests();
        BarePipe.Drain drain = BarePipe.drain(bootstrap, requests, requests + ".pipe", group, backlog, maxBatch,
                profile);
        ERR.printf(Locale.ROOT, "bare pipe over the same backlog: %.0f answers/s%n", drain.perSecond());
        ERR.printf(Locale.ROOT, "bare pipe's CPU per answer: %s%n", drain.cpuPerAnswer());
        return drain.perSecond();
    }

    /**
     * Predictions/s of the model alone, as serving runs it ({@link LoadedModel#predict}: checks, batch copy, forward
     * pass, softmax, top-k) on full batches for 3 s, no Kafka: the ceiling the model puts on {@code max_per_s}.
     */
    private double modelOnly(InferencePrecision precision) {
        try (LoadedModel m = LoadedModel.load(store, store.latest(spec.name()).orElseThrow(), maxBatch, 3,
                precision)) {
            List<Features> batch = fullBatch();
            m.predict(batch);
            long rows = 0;
            long t0 = System.nanoTime();
            while (System.nanoTime() - t0 < 3_000_000_000L) {
                m.predict(batch);
                rows += maxBatch;
            }
            return rows * 1e9 / (System.nanoTime() - t0);
        }
    }

    /**
     * Share of 4,096 seeded random rows, scored in full batches, whose top-1 class in bfloat16 is float32's, for the
     * bench's (untrained) model.
     */
    private double reducedAgreement() {
        SnapshotManifest latest = store.latest(spec.name()).orElseThrow();
        Random random = new Random(7);
        try (LoadedModel full = LoadedModel.load(store, latest, maxBatch, 3);
                LoadedModel reduced = LoadedModel.load(store, latest, maxBatch, 3, InferencePrecision.BFLOAT16)) {
            int same = 0;
            int rows = 0;
            while (rows < 4096) {
                List<Features> batch = new ArrayList<>();
                for (int i = 0; i < maxBatch; i++) {
                    byte[] row = new byte[spec.featureCount()];
                    random.nextBytes(row);
                    batch.add(Features.ofUint8(row));
                }
                LoadedModel.Scored[] a = full.predict(batch);
                LoadedModel.Scored[] b = reduced.predict(batch);
                for (int r = 0; r < a.length; r++) {
                    same += a[r].label() == b[r].label() ? 1 : 0;
                }
                rows += a.length;
            }
            return (double) same / rows;
        }
    }

    private List<Features> fullBatch() {
        List<Features> batch = new ArrayList<>();
        for (int i = 0; i < maxBatch; i++) {
            batch.add(Features.ofUint8(pool[i % pool.length]));
        }
        return batch;
    }

    private static void awaitReady(PredictionService service) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!service.isReady()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("serving not ready after 60 s: " + service.notReadyReason());
            }
            LockSupport.parkNanos(10_000_000);
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

    private static double ms(long nanos) {
        return nanos / 1e6;
    }
}
