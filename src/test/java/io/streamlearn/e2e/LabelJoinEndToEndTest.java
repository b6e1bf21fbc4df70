package io.streamlearn.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.prometheus.client.CollectorRegistry;
import io.streamlearn.app.JoinCommand;
import io.streamlearn.app.StreamlearnCommand;
import io.streamlearn.core.example.Example;
import io.streamlearn.core.feedback.Feedback;
import io.streamlearn.core.feedback.FeedbackJsonCodec;
import io.streamlearn.core.kafka.Topics;
import io.streamlearn.core.model.ModelSpec;
import io.streamlearn.core.model.OptimizerSpec;
import io.streamlearn.core.prediction.PredictionJsonCodec;
import io.streamlearn.core.snapshot.ManifestMetrics;
import io.streamlearn.core.snapshot.SnapshotManifest;
import io.streamlearn.core.snapshot.SnapshotStore;
import io.streamlearn.core.testkit.Blobs;
import io.streamlearn.core.testkit.ExampleRecords;
import io.streamlearn.core.testkit.KafkaBrokerExtension;
import io.streamlearn.monitor.flink.FlinkMetricsBridge;
import io.streamlearn.serving.PredictionService;
import io.streamlearn.serving.ServingConfig;
import io.streamlearn.trainer.job.TrainerConfig;
import io.streamlearn.trainer.job.TrainerJob;
import io.streamlearn.trainer.join.JoinConfig;
import io.streamlearn.trainer.join.JoinJob;
import io.streamlearn.trainer.join.JoinTally;
import io.streamlearn.trainer.join.LabelOutcome;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The production loop's first half on the real embedded broker, two Flink MiniClusters and DJL serving: serving
 * answers requests, their labels arrive later on the feedback topic, the label join writes the joined examples, and
 * the trainer's count of examples grows by exactly the joined ones; duplicate and contradictory labels are counted
 * and dropped.
 */
class LabelJoinEndToEndTest {
    @TempDir
    Path store;

    @RegisterExtension
    static final KafkaBrokerExtension kafka = KafkaBrokerExtension.perClass();
    private static final ModelSpec SPEC = ModelSpec.mlp("blobs", 4, 3, 16).withOptimizer(OptimizerSpec.adam(0.01f));

    private static long seen(SnapshotManifest m) {
        return m.examplesSeen() + (long) m.metric(ManifestMetrics.HOLDOUT_EXAMPLES);
    }

    private static ProducerRecord<byte[], byte[]> label(Topics topics, String id, int label) {
        return new ProducerRecord<>(topics.feedback(), id.getBytes(StandardCharsets.UTF_8),
                FeedbackJsonCodec.encode(new Feedback(id, label)));
    }

    @Test
    void servedRequestsLabeledLaterBecomeExamplesAndTheTrainerLearnsFromExactlyTheJoinedOnes() throws Exception {
        Topics topics = kafka.topics();
        List<Example> produced = Blobs.three(2000, 51, "train");
        ExampleRecords.send(kafka.bootstrapServers(), ExampleRecords.binary(topics.examples(), produced));
        SnapshotStore snapshots = new SnapshotStore(store);

        JobClient trainer = TrainerJob.runLocal(TrainerConfig.builder().setBootstrapServers(kafka.bootstrapServers())
                .setSpec(SPEC).setStoreRoot(store.toString()).optTopicPrefix(topics.prefix())
                .optCheckpointIntervalMs(500).optMaxWaitMs(50).build(), new Configuration());
        PredictionService serving = new PredictionService(ServingConfig.builder()
                .setBootstrapServers(kafka.bootstrapServers()).setModel(SPEC.name()).setStoreRoot(store)
                .optTopics(topics).optGroupId(topics.prefix() + "serving").optMaxWaitMicros(1_000).build(),
                new CollectorRegistry());
        JobClient join = JoinJob.runLocal(JoinConfig.fromArgs("-b", kafka.bootstrapServers(), "--topic-prefix",
                topics.prefix(), "--window-ms", "600000", "--checkpoint-interval-ms", "500",
                "--transactional-id-prefix", topics.prefix() + "join"),
                Configuration.fromMap(FlinkMetricsBridge.reporterSettings()), UnaryOperator.identity());
        try {
            serving.start();
            await().atMost(Duration.ofSeconds(180))
                    .until(() -> snapshots.latest(SPEC.name()).map(m -> seen(m) == produced.size()).orElse(false));

            // Requests served now, their labels a moment later: the first 250 labeled, 50 never.
            List<Example> served = Blobs.three(300, 52, "req");
            List<ProducerRecord<byte[], byte[]>> requests = new ArrayList<>();
            for (Example e : served) {
                requests.add(ExampleRecords.binary(topics.requests(), Example.request(e.id(), e.features())));
            }
            ExampleRecords.send(kafka.bootstrapServers(), requests);
            Set<String> ids = served.stream().map(Example::id).collect(Collectors.toSet());
            kafka.reader(topics.predictions()).awaitUntil(got -> got.stream()
                    .map(r -> PredictionJsonCodec.decode(r.value()).id()).collect(Collectors.toSet())
                    .containsAll(ids));

            List<ProducerRecord<byte[], byte[]>> labels = new ArrayList<>();
            for (Example e : served.subList(0, 250)) {
                labels.add(label(topics, e.id(), e.label()));
            }
            for (Example e : served.subList(0, 10)) {
                labels.add(label(topics, e.id(), e.label()));
            }
            for (Example e : served.subList(10, 15)) {
                labels.add(label(topics, e.id(), (e.label() + 1) % 3));
            }
            ExampleRecords.send(kafka.bootstrapServers(), labels);

            long expected = produced.size() + 250;
            await().atMost(Duration.ofSeconds(180)).until(() -> {
                assertThat(trainer.getJobStatus().get().isTerminalState()).as("trainer running").isFalse();
                assertThat(join.getJobStatus().get().isTerminalState()).as("join running").isFalse();
                return snapshots.latest(SPEC.name()).map(m -> seen(m) >= expected).orElse(false);
            });
            assertThat(seen(snapshots.latest(SPEC.name()).orElseThrow()))
                    .as("examples trained + held out = produced + joined, each once").isEqualTo(expected);
            assertThat(kafka.reader(topics.examples()).readExactly((int) expected)).hasSize((int) expected);

            JoinTally tally = await().atMost(Duration.ofSeconds(60))
                    .until(() -> JoinCommand.tally(FlinkMetricsBridge.registry()), t -> t.labels() == labels.size());
            assertThat(tally.count(LabelOutcome.JOINED)).isEqualTo(250);
            assertThat(tally.count(LabelOutcome.DUPLICATE)).isEqualTo(10);
            assertThat(tally.count(LabelOutcome.CONTRADICTORY)).isEqualTo(5);
            assertThat(tally.count(LabelOutcome.LATE) + tally.count(LabelOutcome.UNMATCHED) + tally.waiting())
                    .isZero();
            assertThat(tally.requests()).isEqualTo(served.size());
            assertThat(kafka.reader(topics.feedbackDlq()).readExactly(15)).hasSize(15);
        } finally {
            join.cancel().get();
            serving.close();
            trainer.cancel().get();
        }
    }

    @Test
    void theJoinCommandPrintsItsTallyWhenItStops() throws Exception {
        Topics topics = kafka.topics();
        List<Example> served = Blobs.three(2, 53, "cmd");
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (Example e : served) {
            records.add(ExampleRecords.binary(topics.requests(), Example.request(e.id(), e.features())));
        }
        records.add(label(topics, served.get(0).id(), 1));
        records.add(label(topics, served.get(0).id(), 1));
        records.add(label(topics, served.get(1).id(), 0));
        records.add(label(topics, served.get(1).id(), 2));
        ExampleRecords.send(kafka.bootstrapServers(), records);

        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.out;
        int exit;
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            exit = StreamlearnCommand.commandLine().execute("join", "-b", kafka.bootstrapServers(), "--topic-prefix",
                    topics.prefix(), "--window-ms", "60000", "--checkpoint-interval-ms", "300", "--duration", "60s",
                    "--transactional-id-prefix", topics.prefix() + "cmd");
        } finally {
            System.setOut(original);
        }
        String output = captured.toString(StandardCharsets.UTF_8);
        original.println(output);
        assertThat(exit).isZero();
        assertThat(output).contains("join: 4 labels = 2 joined + 0 late + 0 unmatched + 1 duplicate + 1 contradictory "
                + "+ 0 waiting; 2 requests (0 repeated, 0 expired without a label)");
        assertThat(kafka.reader(topics.examples()).readExactly(2)).hasSize(2);
    }
}
