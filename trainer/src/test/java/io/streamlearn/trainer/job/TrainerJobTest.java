package io.streamlearn.trainer.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.streamlearn.core.event.DriftEvent;
import io.streamlearn.core.event.EventCodec;
import io.streamlearn.core.event.SnapshotRefusedEvent;
import io.streamlearn.core.example.Example;
import io.streamlearn.core.kafka.Topics;
import io.streamlearn.core.model.ModelSpec;
import io.streamlearn.core.model.OptimizerSpec;
import io.streamlearn.core.snapshot.SnapshotManifest;
import io.streamlearn.core.snapshot.SnapshotStore;
import io.streamlearn.core.testkit.ExampleRecords;
import io.streamlearn.core.testkit.KafkaBrokerExtension;
import io.streamlearn.trainer.decode.DeadLetter;
import io.streamlearn.trainer.learn.OnlineLearnerTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The trainer job on a Flink MiniCluster against the real embedded broker. */
class TrainerJobTest {
    private static final ModelSpec SPEC = ModelSpec.mlp("blobs", 4, 3, 16).withOptimizer(OptimizerSpec.adam(0.01f));

    @RegisterExtension
    static final KafkaBrokerExtension kafka = KafkaBrokerExtension.perClass();

    @TempDir
    Path store;

    private static void produce(Topics topics, List<Example> examples, List<String> rawJson) throws Exception {
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>(ExampleRecords.binary(topics.examples(), examples));
        for (String raw : rawJson) {
            records.add(new ProducerRecord<>(topics.examples(), raw.getBytes(StandardCharsets.UTF_8)));
        }
        ExampleRecords.send(kafka.bootstrapServers(), records);
    }

    private TrainerConfig.Builder config(Topics topics, ModelSpec spec) {
        return TrainerConfig.builder().setBootstrapServers(kafka.bootstrapServers()).setSpec(spec)
                .setStoreRoot(store.toString()).optTopicPrefix(topics.prefix()).optCheckpointIntervalMs(300)
                .optMaxWaitMs(50);
    }

    private static long seen(SnapshotManifest m) {
        return m.examplesSeen() + (long) m.metric("holdout_examples");
    }

    private static List<ConsumerRecord<byte[], byte[]>> readAll(String topic, int atLeast) {
        return kafka.reader(topic).readAtLeast(atLeast);
    }

    /** Runs the job until the newest snapshot accounts for every one of {@code produced} examples; cancels it. */
    private static void trainOnAll(TrainerConfig config, SnapshotStore snapshots, int produced) throws Exception {
        JobClient job = TrainerJob.runLocal(config, new Configuration());
        try {
            await().atMost(Duration.ofSeconds(120)).until(() -> snapshots.latest(config.spec().name())
                    .map(m -> seen(m) == produced).orElse(false));
        } finally {
            job.cancel().get();
        }
    }

    @Test
    void learnsASeparableStreamPublishesSnapshotsAndDeadLettersBadRecords() throws Exception {
        Topics topics = kafka.topics();
        List<Example> stream = OnlineLearnerTest.blobs(4000, 11, "e");
        produce(topics, stream, List.of("{\"id\":\"b1\",\"features\":[1,2,3],\"label\":0}",
                "{\"id\":\"b2\",\"features\":[1,2,3,4],\"label\":7}", "not json at all"));
        SnapshotStore snapshots = new SnapshotStore(store);
        trainOnAll(config(topics, SPEC).build(), snapshots, stream.size());
        SnapshotManifest last = snapshots.latest("blobs").orElseThrow();
        assertThat(last.metric("holdout_accuracy")).isGreaterThanOrEqualTo(0.95);
        assertThat(last.metric("macro_f1")).isGreaterThan(0.9);
        assertThat(last.paramsSha256()).isEqualTo(SnapshotStore.sha256(Files.readAllBytes(
                snapshots.directory("blobs", last.version()).resolve(last.paramsFile()))));

        List<String> reasons = readAll(topics.examplesDlq(), 3).stream()
                .map(r -> new String(r.headers().lastHeader(DeadLetter.REASON_HEADER).value(), StandardCharsets.UTF_8))
                .toList();
        assertThat(reasons).hasSize(3).anyMatch(r -> r.contains("feature count 3, expected 4"))
                .anyMatch(r -> r.contains("label 7 out of range")).anyMatch(r -> r.contains("neither JSON"));
        List<Long> announced = readAll(topics.models(), 1).stream()
                .map(r -> SnapshotManifest.fromJson(r.value()).version()).toList();
        assertThat(announced).isSorted().doesNotHaveDuplicates().endsWith(last.version());
    }

    /** Fails the job once, at the 2,500th example it passes, and never again in this JVM. */
    static final class FailOnce implements MapFunction<Example, Example> {
        private static final long serialVersionUID = 1L;
        static final AtomicBoolean FAILED = new AtomicBoolean();
        private long passed;

        @Override
        public Example map(Example e) {
            if (++passed == 2500 && FAILED.compareAndSet(false, true)) {
                throw new IllegalStateException("injected failure for the exactly-once test");
            }
            return e;
        }
    }

    @Test
    void resumesAfterFailureWithoutLosingOrRepeatingExamples() throws Exception {
        Topics topics = kafka.topics();
        List<Example> stream = OnlineLearnerTest.blobs(6000, 12, "f");
        produce(topics, stream, List.of());
        FailOnce.FAILED.set(false);
        JobClient job = TrainerJob.runLocal(config(topics, SPEC).build(), new Configuration(),
                s -> s.map(new FailOnce()).uid("fail-once").setParallelism(1));
        SnapshotStore snapshots = new SnapshotStore(store);
        try {
            await().atMost(Duration.ofSeconds(120)).until(() -> snapshots.latest("blobs")
                    .map(m -> seen(m) >= stream.size()).orElse(false));
        } finally {
            job.cancel().get();
        }
        assertThat(FailOnce.FAILED).as("the failure was injected").isTrue();
        SnapshotManifest last = snapshots.latest("blobs").orElseThrow();
        assertThat(seen(last)).as("examples trained + held out = examples produced").isEqualTo(stream.size());
        assertThat(last.sourceOffsets().values().stream().mapToLong(Long::longValue).sum())
                .as("the manifest's next offsets cover every example of the fresh topic once").isEqualTo(stream.size());
        assertThat(last.streamlearnVersion()).isNotBlank();
        List<SnapshotManifest> history = snapshots.versions("blobs").stream()
                .map(v -> snapshots.manifest("blobs", v)).toList();
        assertThat(history).extracting(SnapshotManifest::version).isSorted().doesNotHaveDuplicates();
        assertThat(history).extracting(TrainerJobTest::seen).isSorted();
        List<Long> announced = readAll(topics.models(), history.size()).stream()
                .map(r -> SnapshotManifest.fromJson(r.value()).version()).toList();
        assertThat(announced).isSorted().doesNotHaveDuplicates()
                .containsExactlyElementsOf(history.stream().map(SnapshotManifest::version).toList());
    }

    @Test
    void detectsAnAbruptConceptChangeReactsAndPublishesTheAdaptedModel() throws Exception {
        // One partition: the concept change must come at one position of one ordered stream.
        Topics topics = kafka.topics(1);
        List<Example> before = OnlineLearnerTest.blobs(3000, 14, "a");
        List<Example> after = new ArrayList<>();
        for (Example e : OnlineLearnerTest.blobs(4000, 15, "b")) {
            after.add(Example.labeled(e.id(), e.features(), (e.label() + 1) % 3));
        }
        List<Example> stream = new ArrayList<>(before);
        stream.addAll(after);
        produce(topics, stream, List.of());
        SnapshotStore snapshots = new SnapshotStore(store);
        trainOnAll(config(topics, SPEC).build(), snapshots, stream.size());
        var drifts = readAll(topics.events(), 1).stream()
                .map(r -> EventCodec.decode(r.value())).filter(e -> e instanceof DriftEvent)
                .map(DriftEvent.class::cast).toList();
        assertThat(drifts).isNotEmpty();
        long trainedBefore = Math.round(before.size() * 0.9);
        assertThat(drifts.get(0).examplesSeen()).as("no false alarm on the first concept, detection soon after")
                .isBetween(trainedBefore, trainedBefore + 600);
        assertThat(drifts.get(0).signal()).isEqualTo("prequential_error");
        // The gate's baseline reset with the drift: the adapted model is published and good on the new concept.
        SnapshotManifest last = snapshots.latest("blobs").orElseThrow();
        assertThat(last.metric("holdout_accuracy")).isGreaterThan(0.85);
    }

    @Test
    void qualityGateRefusesADivergingRunAndItNeverReachesTheModelsTopic() throws Exception {
        Topics topics = kafka.topics();
        List<Example> stream = OnlineLearnerTest.blobs(3000, 13, "g");
        produce(topics, stream, List.of());
        SnapshotStore snapshots = new SnapshotStore(store);
        trainOnAll(config(topics, SPEC).build(), snapshots, stream.size());
        long goodVersion = snapshots.latestVersion("blobs");

        // The same model warm-started from the good version with a learning rate far too high.
        ModelSpec diverging = SPEC.withOptimizer(OptimizerSpec.sgd(500f, 0.9f));
        JobClient bad = TrainerJob.runLocal(config(topics, diverging).optGroupId("diverging")
                .optInitFromVersion(goodVersion).build(), new Configuration());
        List<ConsumerRecord<byte[], byte[]>> events;
        try {
            events = kafka.reader(topics.events()).awaitUntil(records -> records.stream()
                    .anyMatch(r -> EventCodec.decode(r.value()) instanceof SnapshotRefusedEvent));
        } finally {
            bad.cancel().get();
        }
        SnapshotRefusedEvent refusal = events.stream().map(r -> EventCodec.decode(r.value()))
                .filter(e -> e instanceof SnapshotRefusedEvent).map(SnapshotRefusedEvent.class::cast)
                .findFirst().orElseThrow();
        assertThat(refusal.model()).isEqualTo("blobs");
        assertThat(refusal.component()).isEqualTo("trainer");
        assertThat(refusal.version()).as("refused before it got a version").isZero();
        assertThat(refusal.checkpointId()).as("the refused checkpoint").isPositive();
        assertThat(refusal.examplesSeen()).as("the bad run trained before the gate refused it").isPositive();
        assertThat(refusal.timeMs()).isPositive();
        assertThat(refusal.reason()).containsAnyOf("below the published version", "NaN or infinity");
        assertThat(snapshots.latestVersion("blobs")).as("nothing published after the refusal").isEqualTo(goodVersion);
        List<Long> announced = readAll(topics.models(), 1).stream()
                .map(r -> SnapshotManifest.fromJson(r.value()).version()).toList();
        assertThat(announced).endsWith(goodVersion).allMatch(v -> v <= goodVersion);
    }
}
