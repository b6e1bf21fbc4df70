package io.streamlearn.e2e.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.prometheus.client.CollectorRegistry;
import io.streamlearn.core.example.ContentTypes;
import io.streamlearn.core.example.Example;
import io.streamlearn.core.example.ExampleJsonCodec;
import io.streamlearn.core.kafka.KafkaClients;
import io.streamlearn.core.kafka.Topics;
import io.streamlearn.core.model.ModelSpec;
import io.streamlearn.core.model.OptimizerSpec;
import io.streamlearn.core.prediction.PredictionJsonCodec;
import io.streamlearn.core.snapshot.SnapshotManifest;
import io.streamlearn.core.snapshot.SnapshotStore;
import io.streamlearn.core.testkit.TopicReader;
import io.streamlearn.ingest.produce.IngestCounts;
import io.streamlearn.ingest.produce.Ingestor;
import io.streamlearn.ingest.source.SourceDefinition;
import io.streamlearn.ingest.source.SourceOptions;
import io.streamlearn.ingest.source.Sources;
import io.streamlearn.ingest.source.SyntheticClassification;
import io.streamlearn.serving.PredictionService;
import io.streamlearn.serving.ServingConfig;
import io.streamlearn.trainer.job.TrainerConfig;
import io.streamlearn.trainer.job.TrainerJob;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * The whole platform on one Kafka for a fault test: ingest (a rate-limited synthetic stream through {@link Ingestor}),
 * the trainer ({@link TrainerJob#runLocal}, a Flink MiniCluster), serving ({@link PredictionService}) and a steady
 * stream of requests, each on its own thread, with the clients' timeouts long enough to ride out an outage of
 * {@link #RIDE_OUT}. The test breaks Kafka while it runs and then asks {@link #assertNothingLostOrDuplicated()}.
 */
final class FaultPipeline implements AutoCloseable {
    /** How long every client waits for Kafka before it gives up: longer than any outage a test injects. */
    static final Duration RIDE_OUT = Duration.ofSeconds(120);
    /** The model: 20 features, 4 classes, as the synthetic classification stream. */
    static final ModelSpec SPEC = ModelSpec.mlp("faults", 20, 4, 16).withOptimizer(OptimizerSpec.adam(0.01f));

    private static final Map<String, String> PATIENT_PRODUCER = Map.of(
            ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Long.toString(RIDE_OUT.toMillis()),
            ProducerConfig.MAX_BLOCK_MS_CONFIG, Long.toString(RIDE_OUT.toMillis()),
            ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "15000");

    private final String bootstrap;
    private final Topics topics;
    private final SnapshotStore store;
    private final long examples;
    private final Ingestor ingestor;
    private final CompletableFuture<IngestCounts> ingested;
    private final JobClient trainer;
    private final PredictionService serving;
    private final RequestStream requests;

    /**
     * Starts trainer, serving, ingest of {@code examples} examples at {@code examplesPerSecond} and requests at
     * {@code requestsPerSecond}, all against {@code bootstrap} and {@code topics} (which exist).
     */
    FaultPipeline(String bootstrap, Topics topics, Path storeRoot, long examples, double examplesPerSecond,
            double requestsPerSecond) throws Exception {
        this.bootstrap = bootstrap;
        this.topics = topics;
        this.store = new SnapshotStore(storeRoot);
        this.examples = examples;
        this.trainer = TrainerJob.runLocal(TrainerConfig.builder().setBootstrapServers(bootstrap).setSpec(SPEC)
                .setStoreRoot(storeRoot.toString()).optTopicPrefix(topics.prefix()).optCheckpointIntervalMs(1000)
                .optMaxWaitMs(50).optKafkaOverrides(PATIENT_PRODUCER).build(), new Configuration());
        this.serving = new PredictionService(ServingConfig.builder().setBootstrapServers(bootstrap)
                .setModel(SPEC.name()).setStoreRoot(storeRoot).optTopics(topics).optGroupId(topics.prefix() + "serving")
                .optMaxWaitMicros(1_000).build(), new CollectorRegistry());
        serving.start();
        SourceDefinition source = Sources.resolve("synthetic:classification",
                SourceOptions.builder().optFeatureCount(20).optClasses(4).optSeed(7).optLength(examples).build());
        this.ingestor = Ingestor.builder().setBootstrapServers(bootstrap).setSource(source)
                .setSchema(SPEC.schema()).setTopic(topics.examples()).setDeadLetterTopic(topics.examplesDlq())
                .optRatePerSecond(examplesPerSecond).optTimeout(RIDE_OUT).optCreateTopics(false).build();
        this.ingested = CompletableFuture.supplyAsync(ingestor::run);
        this.requests = new RequestStream(bootstrap, topics, requestsPerSecond);
    }

    /** Examples Kafka acknowledged so far. */
    long examplesSent() {
        return ingestor.counts().sent();
    }

    /** Requests answered by serving so far. */
    long served() {
        return serving.served();
    }

    /** The newest published version's examples trained plus held out, 0 before the first. */
    long examplesAccountedFor() {
        return store.latest(SPEC.name()).map(FaultPipeline::seen).orElse(0L);
    }

    /**
     * Waits until ingest has sent {@code more} examples beyond what it had sent (or all of them), and serving answered
     * {@code moreAnswered} requests beyond what it had answered.
     */
    void awaitProgress(long more, long moreAnswered, Duration atMost) {
        long n = Math.min(examples, examplesSent() + more);
        long answered = served() + moreAnswered;
        await().atMost(atMost).until(() -> {
            failIfBroken();
            return examplesSent() >= n && served() >= answered;
        });
    }

    /**
     * Lets ingest finish, waits until the newest snapshot accounts for every example, stops the requests and waits
     * until each has its prediction; then asserts exactly-once training, every request answered and no dead letter.
     */
    void assertNothingLostOrDuplicated() throws Exception {
        IngestCounts counts = ingested.get(RIDE_OUT.toSeconds() * 3, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(counts.sent()).as("ingest sent every example").isEqualTo(examples);
        assertThat(counts.rejected() + counts.failed()).as("ingest rejected or failed none").isZero();
        await().atMost(RIDE_OUT).until(() -> {
            failIfBroken();
            return examplesAccountedFor() >= examples;
        });
        SnapshotManifest last = store.latest(SPEC.name()).orElseThrow();
        assertThat(seen(last)).as("examples trained + held out in v%d = examples produced: each trained exactly once",
                last.version()).isEqualTo(examples);
        List<Long> versions = store.versions(SPEC.name());
        assertThat(versions).isSorted().doesNotHaveDuplicates();

        int sent = requests.stop();
        assertThat(requests.failure()).as("every request was accepted by Kafka").isNull();
        assertThat(sent).as("requests sent").isPositive();
        Set<String> answered = new HashSet<>();
        try (TopicReader predictions = TopicReader.open(bootstrap, topics.predictions(), RIDE_OUT,
                IsolationLevel.READ_COMMITTED)) {
            for (ConsumerRecord<byte[], byte[]> r : predictions.awaitUntil(got -> distinctIds(got) >= sent)) {
                answered.add(PredictionJsonCodec.decode(r.value()).id());
            }
        }
        assertThat(answered).as("every request answered at least once").hasSize(sent);
        for (int i = 0; i < sent; i++) {
            assertThat(answered).contains(RequestStream.id(i));
        }
        assertThat(readAll(topics.examplesDlq())).as("no example dead-lettered by the fault").isEmpty();
        assertThat(readAll(topics.predictionsDlq())).as("no request dead-lettered by the fault").isEmpty();
        assertThat(serving.failure()).isEmpty();
    }

    private static long distinctIds(List<ConsumerRecord<byte[], byte[]>> got) {
        return got.stream().map(r -> PredictionJsonCodec.decode(r.value()).id()).distinct().count();
    }

    private List<ConsumerRecord<byte[], byte[]>> readAll(String topic) {
        try (TopicReader r = TopicReader.open(bootstrap, topic, RIDE_OUT, IsolationLevel.READ_COMMITTED)) {
            return r.readToEnd();
        }
    }

    /** Throws when a component has failed: ingest, serving, the request stream or the trainer job. */
    void failIfBroken() {
        if (ingested.isCompletedExceptionally()) {
            ingested.join(); // throws the ingest failure
        }
        if (serving.failure().isPresent()) {
            throw new AssertionError("serving failed", serving.failure().get());
        }
        if (requests.failure() != null) {
            throw new AssertionError("a request could not be sent", requests.failure());
        }
        if (trainer.getJobStatus().join().isTerminalState()) {
            throw new AssertionError("the trainer job ended: " + trainer.getJobStatus().join());
        }
    }

    static long seen(SnapshotManifest m) {
        return m.examplesSeen() + (long) m.metric("holdout_examples");
    }

    @Override
    public void close() throws Exception {
        try {
            ingestor.stop();
            requests.close();
            serving.close();
        } finally {
            trainer.cancel().exceptionally(e -> null).get();
        }
    }

    /** Requests {@code req-<i>} at a steady rate on their own thread, from a second synthetic stream. */
    static final class RequestStream implements AutoCloseable {
        private final KafkaProducer<byte[], byte[]> producer;
        private final Thread thread;
        private final AtomicInteger acked = new AtomicInteger();
        private final AtomicReference<Exception> failure = new AtomicReference<>();
        private volatile boolean running = true;
        private int sent;

        RequestStream(String bootstrap, Topics topics, double perSecond) {
            this.producer = KafkaClients.producer(bootstrap, PATIENT_PRODUCER);
            SyntheticClassification rows = new SyntheticClassification(20, 4, 1.0, 7, Long.MAX_VALUE, "unused-");
            long periodNanos = (long) (1e9 / perSecond);
            this.thread = new Thread(() -> {
                long next = System.nanoTime();
                while (running) {
                    Example e = rows.next();
                    String id = id(sent);
                    RecordHeaders h = new RecordHeaders();
                    h.add(ContentTypes.HEADER, ContentTypes.JSON.getBytes(StandardCharsets.UTF_8));
                    try {
                        producer.send(new ProducerRecord<>(topics.requests(), null, id.getBytes(StandardCharsets.UTF_8),
                                ExampleJsonCodec.encode(Example.request(id, e.features())), h), (md, ex) -> {
                                    if (ex != null) {
                                        failure.compareAndSet(null, ex);
                                    } else {
                                        acked.incrementAndGet();
                                    }
                                });
                    } catch (RuntimeException ex) {
                        failure.compareAndSet(null, ex);
                        return;
                    }
                    sent++;
                    next += periodNanos;
                    LockSupport.parkNanos(Math.max(0, next - System.nanoTime()));
                }
            }, "fault-test-requests");
            thread.start();
        }

        static String id(int i) {
            return "req-" + i;
        }

        /** Stops sending, waits until Kafka acknowledged every request sent; returns how many. */
        int stop() throws InterruptedException {
            running = false;
            thread.join();
            producer.flush();
            return sent;
        }

        Exception failure() {
            return failure.get();
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            thread.join();
            producer.close(Duration.ofSeconds(5));
        }
    }
}
