package io.streamlearn.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.prometheus.client.CollectorRegistry;
import io.streamlearn.app.StreamlearnCommand;
import io.streamlearn.core.broker.BrokerSecurity;
import io.streamlearn.core.broker.EmbeddedKafkaBroker;
import io.streamlearn.core.config.KafkaSettings;
import io.streamlearn.core.example.ContentTypes;
import io.streamlearn.core.example.Example;
import io.streamlearn.core.example.ExampleJsonCodec;
import io.streamlearn.core.feedback.Feedback;
import io.streamlearn.core.feedback.FeedbackJsonCodec;
import io.streamlearn.core.kafka.KafkaClients;
import io.streamlearn.core.kafka.Topics;
import io.streamlearn.core.model.ModelSpec;
import io.streamlearn.core.model.OptimizerSpec;
import io.streamlearn.core.prediction.Prediction;
import io.streamlearn.core.prediction.PredictionJsonCodec;
import io.streamlearn.core.snapshot.SnapshotStore;
import io.streamlearn.core.testkit.ComponentAcls;
import io.streamlearn.core.testkit.ComponentAcls.Component;
import io.streamlearn.core.testkit.TestCertificates;
import io.streamlearn.ingest.produce.BrokerUnavailableException;
import io.streamlearn.ingest.produce.IngestCounts;
import io.streamlearn.ingest.produce.Ingestor;
import io.streamlearn.ingest.source.SourceOptions;
import io.streamlearn.ingest.source.Sources;
import io.streamlearn.ingest.source.SyntheticClassification;
import io.streamlearn.monitor.quality.QualityConfig;
import io.streamlearn.monitor.quality.ServedQualityMonitor;
import io.streamlearn.serving.PredictionService;
import io.streamlearn.serving.ServingConfig;
import io.streamlearn.serving.ServingSettings;
import io.streamlearn.core.snapshot.ModelPromotion;
import io.streamlearn.trainer.job.TrainerJob;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The platform on a hardened Kafka: SASL_SSL with SCRAM-SHA-512, TLS from a test CA, the standard authorizer and
 * exactly the ACL set of {@code docs/deploy.md} ({@link ComponentAcls}). Every component gets its own principal from a
 * {@code --kafka-config} file; ingest → train ({@link TrainerJob#runLocal}, parsed as {@code flink run} would) →
 * publish → serve (exactly-once) → monitor → report works, and a client without credentials or a principal without
 * WRITE on the models topic publishes and promotes nothing, while serving keeps its version.
 */
class SecuredKafkaEndToEndTest {
    private static final String MODEL = "secured";
    private static final ModelSpec SPEC = ModelSpec.mlp(MODEL, 20, 4, 16).withOptimizer(OptimizerSpec.adam(0.01f));
    private static final long EXAMPLES = 3_000;
    /** A second, later batch: it makes a second version whatever the checkpoint timing (promote needs two). */
    private static final long MORE_EXAMPLES = 500;
    private static final int REQUESTS = 50;
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final String ADMIN = "admin";

    @TempDir
    Path dir;

    private final List<AutoCloseable> running = new ArrayList<>();
    private EmbeddedKafkaBroker broker;
    private BrokerSecurity security;

    @AfterEach
    void stopEverything() throws Exception {
        for (int i = running.size() - 1; i >= 0; i--) {
            running.get(i).close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void wholeLoopRunsWithEachComponentsCredentialsAndIntrudersChangeNothing() throws Exception {
        startSecuredBroker();
        Topics topics = new Topics(Topics.DEFAULT_PREFIX);
        ComponentAcls.Names names = ComponentAcls.Names.defaults(MODEL);
        try (Admin admin = KafkaClients.admin(broker.bootstrapServers(), broker.superUserProperties())) {
            topics.createAll(admin, 2, (short) 1);
            for (Component c : Component.values()) {
                admin.createAcls(ComponentAcls.of(c, c.user(), names)).all().get(30, TimeUnit.SECONDS);
            }
        }
        Path store = Files.createDirectories(dir.resolve("store"));
        Path spec = dir.resolve("spec.json");
        Files.writeString(spec, SPEC.toJson());

        // Train: the arguments flink run would pass, credentials only by file.
        JobClient trainer = TrainerJob.runLocal(TrainerJob.fromArgs("--bootstrap-server", broker.bootstrapServers(),
                "--spec", spec.toString(), "--store", store.toString(), "--checkpoint-interval-ms", "1000",
                "--max-wait-ms", "50", "--gate-margin", "1", "--kafka-config", kafkaConfig(Component.TRAINER).toString()),
                new Configuration());
        AutoCloseable stopTrainer = () -> trainer.cancel().get(60, TimeUnit.SECONDS);
        running.add(stopTrainer);

        PredictionService serving = new PredictionService(ServingConfig.fromSettings(ServingSettings.DEF.parseArgs(
                List.of("--model", MODEL, "--store", store.toString(), "--bootstrap-server", broker.bootstrapServers(),
                        "--exactly-once", "--max-wait-micros", "1000",
                        "--kafka-config", kafkaConfig(Component.SERVING).toString()))).build(), new CollectorRegistry());
        running.add(serving);
        serving.start();

        ServedQualityMonitor monitor = new ServedQualityMonitor(QualityConfig.builder()
                .setBootstrapServers(broker.bootstrapServers()).optTopics(topics).optFromBeginning(true)
                .optKafkaOverrides(overrides(kafkaConfig(Component.MONITOR))).build(), new CollectorRegistry());
        running.add(monitor);
        monitor.start();

        // A client without credentials: the TLS listener never answers it, so ingest gives up before sending.
        assertThatThrownBy(() -> ingestor(Map.of(), Duration.ofSeconds(5), EXAMPLES, 7).run())
                .isInstanceOf(BrokerUnavailableException.class);

        IngestCounts counts = ingestor(overrides(kafkaConfig(Component.INGEST)), WAIT, EXAMPLES, 7).run();
        assertThat(counts.sent()).as("ingest sent every example with its credentials").isEqualTo(EXAMPLES);
        // One record the trainer cannot decode: its dead letter proves the trainer's Flink sink has its credentials.
        try (KafkaProducer<byte[], byte[]> p = KafkaClients.producer(broker.bootstrapServers(), superUser())) {
            p.send(new ProducerRecord<>(topics.examples(), "poison".getBytes(StandardCharsets.UTF_8),
                    "not an example".getBytes(StandardCharsets.UTF_8))).get(30, TimeUnit.SECONDS);
        }

        SnapshotStore snapshots = new SnapshotStore(store);
        awaitCovered(snapshots, EXAMPLES, trainer, serving);
        // A fast trainer may cover the whole first batch with one version; the second batch makes the next one.
        assertThat(ingestor(overrides(kafkaConfig(Component.INGEST)), WAIT, MORE_EXAMPLES, 8).run().sent())
                .isEqualTo(MORE_EXAMPLES);
        awaitCovered(snapshots, EXAMPLES + MORE_EXAMPLES, trainer, serving);
        assertThat(snapshots.versions(MODEL)).hasSizeGreaterThanOrEqualTo(2);
        assertThat(readAll(topics.examplesDlq())).as("the trainer dead-lettered the poison record").hasSize(1);
        // Flink only logs a failed offset commit: the group ACL is proven by the offsets being there.
        try (Admin admin = KafkaClients.admin(broker.bootstrapServers(), superUser())) {
            await().atMost(WAIT).until(() -> !admin.listConsumerGroupOffsets(names.trainerGroup())
                    .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS).isEmpty());
        }
        // The trainer is done: from now on only an intruder could change what serving serves.
        running.remove(stopTrainer);
        stopTrainer.close();
        long latest = snapshots.latest(MODEL).orElseThrow().version();
        await().atMost(WAIT).until(() -> serving.currentVersion() == latest);

        List<String> ids = sendRequests(topics, "before-");
        assertThat(awaitPredictions(topics, ids)).as("every request answered by the latest version")
                .allSatisfy(p -> assertThat(p.version()).isEqualTo(latest));
        sendFeedback(topics, ids);
        await().atMost(WAIT).until(() -> monitor.matched() >= ids.size());

        // Principals without WRITE on models: serving's (READ only) and ingest's.
        long oldest = snapshots.versions(MODEL).get(0);
        assertThat(promote(oldest, Component.SERVING)).as("promote with serving's credentials fails").isNotZero();
        ExecutionException forged = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, () -> {
            try (KafkaProducer<byte[], byte[]> p = KafkaClients.producer(broker.bootstrapServers(),
                    overrides(kafkaConfig(Component.INGEST)))) {
                p.send(ModelPromotion.record(topics, snapshots.manifest(MODEL, oldest), 0L)).get(30, TimeUnit.SECONDS);
            }
        });
        assertThat(forged).hasCauseInstanceOf(TopicAuthorizationException.class);
        assertThat(readAll(topics.models())).as("no promotion reached the models topic")
                .noneMatch(r -> ModelPromotion.isPromotion(r.headers()));
        List<String> after = sendRequests(topics, "after-intruders-");
        assertThat(awaitPredictions(topics, after)).as("serving kept its version")
                .allSatisfy(p -> assertThat(p.version()).isEqualTo(latest));

        // The operator's principal may: serving moves to the promoted version.
        assertThat(promote(oldest, Component.PROMOTE)).as("promote with its own credentials").isZero();
        await().atMost(WAIT).until(() -> serving.currentVersion() == oldest);

        assertThat(report(Component.REPORT)).as("report reads the events topic with its credentials").isZero();
        assertThat(serving.failure()).isEmpty();
        assertThat(monitor.failure()).isEmpty();
    }

    private void startSecuredBroker() {
        TestCertificates certs = TestCertificates.generate(dir, "store-secret-" + ProcessHandle.current().pid());
        Map<String, String> users = new LinkedHashMap<>();
        users.put(ADMIN, "admin-secret");
        for (Component c : Component.values()) {
            users.put(c.user(), c.user() + "-secret");
        }
        security = new BrokerSecurity(certs.keystore(), certs.truststore(), certs.password(), ADMIN, users);
        broker = EmbeddedKafkaBroker.builder().optSecurity(security).build().start();
    }

    /** The component's {@code --kafka-config} file, as deploy.md tells an operator to write it. */
    private Path kafkaConfig(Component c) throws IOException {
        Path file = dir.resolve(c.user() + ".properties");
        if (!Files.exists(file)) {
            Properties p = new Properties();
            p.putAll(security.clientProperties(c.user()));
            try (OutputStream out = Files.newOutputStream(file)) {
                p.store(out, "Kafka credentials of " + c.user());
            }
        }
        return file;
    }

    /** What every component does with {@code --kafka-config FILE}. */
    private static Map<String, String> overrides(Path kafkaConfig) {
        return KafkaSettings.overrides(KafkaSettings.DEF.parseArgs(List.of("--kafka-config", kafkaConfig.toString())));
    }

    private Map<String, String> superUser() {
        return broker.superUserProperties();
    }

    /** Waits until the latest published version has trained or held out {@code produced} examples. */
    private static void awaitCovered(SnapshotStore snapshots, long produced, JobClient trainer,
            PredictionService serving) {
        await().atMost(WAIT).until(() -> {
            failIfBroken(trainer, serving);
            return snapshots.latest(MODEL).map(m -> m.examplesSeen() + (long) m.metric("holdout_examples"))
                    .orElse(0L) >= produced;
        });
    }

    private Ingestor ingestor(Map<String, String> kafka, Duration timeout, long length, long seed) {
        Topics topics = new Topics(Topics.DEFAULT_PREFIX);
        return Ingestor.builder().setBootstrapServers(broker.bootstrapServers())
                .setSource(Sources.resolve("synthetic:classification", SourceOptions.builder().optFeatureCount(20)
                        .optClasses(4).optSeed(seed).optLength(length).build()))
                .setSchema(SPEC.schema()).setTopic(topics.examples()).setDeadLetterTopic(topics.examplesDlq())
                .optCreateTopics(false).optTimeout(timeout).optKafkaConfig(kafka).build();
    }

    private List<String> sendRequests(Topics topics, String prefix) throws Exception {
        SyntheticClassification rows = new SyntheticClassification(20, 4, 1.0, 11, Long.MAX_VALUE, "unused-");
        List<String> ids = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> p = KafkaClients.producer(broker.bootstrapServers(), superUser())) {
            for (int i = 0; i < REQUESTS; i++) {
                String id = prefix + i;
                RecordHeaders h = new RecordHeaders();
                h.add(ContentTypes.HEADER, ContentTypes.JSON.getBytes(StandardCharsets.UTF_8));
                p.send(new ProducerRecord<>(topics.requests(), null, id.getBytes(StandardCharsets.UTF_8),
                        ExampleJsonCodec.encode(Example.request(id, rows.next().features())), h));
                ids.add(id);
            }
            p.flush();
        }
        return ids;
    }

    private void sendFeedback(Topics topics, List<String> ids) throws Exception {
        try (KafkaProducer<byte[], byte[]> p = KafkaClients.producer(broker.bootstrapServers(), superUser())) {
            for (String id : ids) {
                p.send(new ProducerRecord<>(topics.feedback(), id.getBytes(StandardCharsets.UTF_8),
                        FeedbackJsonCodec.encode(new Feedback(id, 0))));
            }
            p.flush();
        }
    }

    /** The predictions of {@code ids}, read committed as the super user (a client of the platform). */
    private List<Prediction> awaitPredictions(Topics topics, List<String> ids) {
        Map<String, Prediction> got = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> c = reader(topics.predictions())) {
            await().atMost(WAIT).until(() -> {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    Prediction p = PredictionJsonCodec.decode(r.value());
                    if (ids.contains(p.id())) {
                        got.put(p.id(), p);
                    }
                }
                return got.size() == ids.size();
            });
        }
        return List.copyOf(got.values());
    }

    private List<ConsumerRecord<byte[], byte[]>> readAll(String topic) {
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = reader(topic)) {
            Map<TopicPartition, Long> end = c.endOffsets(c.assignment());
            await().atMost(WAIT).until(() -> {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
                return end.entrySet().stream().allMatch(e -> c.position(e.getKey()) >= e.getValue());
            });
        }
        return out;
    }

    private KafkaConsumer<byte[], byte[]> reader(String topic) {
        KafkaConsumer<byte[], byte[]> c = KafkaClients.consumer(broker.bootstrapServers(), null, superUser());
        List<TopicPartition> partitions = c.partitionsFor(topic).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        c.assign(partitions);
        c.seekToBeginning(partitions);
        return c;
    }

    private int promote(long version, Component as) throws IOException {
        return streamlearn("models", "promote", Long.toString(version), "--model", MODEL, "--store",
                dir.resolve("store").toString(), "--bootstrap-server", broker.bootstrapServers(),
                "--kafka-config", kafkaConfig(as).toString());
    }

    private int report(Component as) throws IOException {
        return streamlearn("report", "--model", MODEL, "--store", dir.resolve("store").toString(), "--out",
                dir.resolve("report").toString(), "--events", "--bootstrap-server", broker.bootstrapServers(),
                "--kafka-config", kafkaConfig(as).toString());
    }

    private static int streamlearn(String... args) {
        StringWriter out = new StringWriter();
        int exit = StreamlearnCommand.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(out))
                .execute(args);
        System.out.println("streamlearn " + String.join(" ", args) + " -> " + exit + "\n" + out);
        return exit;
    }

    private static void failIfBroken(JobClient trainer, PredictionService serving) {
        if (trainer.getJobStatus().join().isTerminalState()) {
            throw new AssertionError("the trainer job ended: " + trainer.getJobStatus().join());
        }
        if (serving.failure().isPresent()) {
            throw new AssertionError("serving failed", serving.failure().get());
        }
    }
}
