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
import io.streamlearn.core.snapshot.ManifestMetrics;
import io.streamlearn.core.snapshot.SnapshotManifest;
import io.streamlearn.core.snapshot.SnapshotStore;
import io.streamlearn.core.testkit.ExampleRecords;
import io.streamlearn.core.testkit.KafkaBrokerExtension;
import io.streamlearn.core.event.SnapshotPublishFailedEvent;
import io.streamlearn.core.example.DeadLetterHeaders;
import io.streamlearn.trainer.decode.DeadLetter;
import io.streamlearn.trainer.decode.DeadLetterSerializer;
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

    /** Produces {@code stream} (no bad records) and trains {@link #SPEC} on all of it; the store it published to. */
    private SnapshotStore trainOnAll(Topics topics, List<Example> stream) throws Exception {
        produce(topics, stream, List.of());
        SnapshotStore snapshots = new SnapshotStore(store);
        trainOnAll(config(topics, SPEC).build(), snapshots, stream.size());
        return snapshots;
    }

    /** Runs the job until the newest snapshot accounts for every one of {@code produced} examples; cancels it. */
    private static void trainOnAll(TrainerConfig config, SnapshotStore snapshots, int produced) throws Exception {
        JobClient job = TrainerJob.runLocal(config, new Configuration());
        try {
            awaitPublished(config.topics(), snapshots, m -> seen(m) == produced);
        } finally {
            job.cancel().get();
        }
    }

    /**
     * Waits until the newest version in the store meets {@code done} and its manifest is on the models topic too.
     * The store is written before the manifest is sent: a job cancelled between the two (a loaded machine makes the
     * gap long) interrupts the send, and the store then holds a version the topic never announced.
     */
    private static void awaitPublished(Topics topics, SnapshotStore snapshots,
            java.util.function.Predicate<SnapshotManifest> done) {
        await().atMost(Duration.ofSeconds(120)).until(() -> snapshots.latest("blobs").map(done::test).orElse(false));
        long version = snapshots.latestVersion("blobs");
        kafka.reader(topics.models()).awaitUntil(records -> records.stream()
                .anyMatch(r -> SnapshotManifest.fromJson(r.value()).version() == version));
    }

    @Test
    void learnsASeparableStreamPublishesSnapshotsAndDeadLettersBadRecords() throws Exception {
        Topics topics = kafka.topics();
        List<Example> stream = OnlineLearnerTest.blobs(4000, 11, "e");
        // Just under the producer's 1 MiB max.request.size: a dead letter carrying it whole would not fit.
        String nearTheSizeLimit = "x".repeat(1_048_400);
        produce(topics, stream, List.of("{\"id\":\"b1\",\"features\":[1,2,3],\"label\":0}",
                "{\"id\":\"b2\",\"features\":[1,2,3,4],\"label\":7}", "not json at all", nearTheSizeLimit));
        SnapshotStore snapshots = new SnapshotStore(store);
        trainOnAll(config(topics, SPEC).build(), snapshots, stream.size());
        SnapshotManifest last = snapshots.latest("blobs").orElseThrow();
        assertThat(last.metric("holdout_accuracy")).isGreaterThanOrEqualTo(0.95);
        assertThat(last.metric("macro_f1")).isGreaterThan(0.9);
        assertThat(last.paramsSha256()).isEqualTo(SnapshotStore.sha256(Files.readAllBytes(
                snapshots.directory("blobs", last.version()).resolve(last.paramsFile()))));

        List<ConsumerRecord<byte[], byte[]>> deadLetters = readAll(topics.examplesDlq(), 4);
        List<String> reasons = deadLetters.stream()
                .map(r -> new String(r.headers().lastHeader(DeadLetter.REASON_HEADER).value(), StandardCharsets.UTF_8))
                .toList();
        assertThat(reasons).hasSize(4).anyMatch(r -> r.contains("feature count 3, expected 4"))
                .anyMatch(r -> r.contains("label 7 out of range")).anyMatch(r -> r.contains("neither JSON"))
                .anyMatch(r -> r.contains("original 1048400 bytes"));
        ConsumerRecord<byte[], byte[]> capped = deadLetters.stream()
                .filter(r -> r.headers().lastHeader(DeadLetterHeaders.ORIGINAL_BYTES) != null).findFirst().orElseThrow();
        assertThat(capped.value()).hasSize(DeadLetterSerializer.MAX_VALUE_BYTES);
        assertThat(new String(capped.headers().lastHeader(DeadLetterHeaders.ORIGINAL_SHA256).value(),
                StandardCharsets.UTF_8))
                .isEqualTo(SnapshotStore.sha256(nearTheSizeLimit.getBytes(StandardCharsets.UTF_8)));
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
            awaitPublished(topics, snapshots, m -> seen(m) >= stream.size());
        } finally {
            job.cancel().get();
        }
        assertThat(FailOnce.FAILED).as("the failure was injected").isTrue();
        SnapshotManifest last = snapshots.latest("blobs").orElseThrow();
        assertThat(seen(last)).as("examples trained + held out = examples produced").isEqualTo(stream.size());
        assertThat(last.sourceOffsets().values().stream().mapToLong(Long::longValue).sum())
                .as("the manifest's next offsets cover every example of the fresh topic once").isEqualTo(stream.size());
        assertThat(last.streamlearnVersion()).isNotBlank();
        assertVersionsIncreaseAndEachIsAnnouncedOnce(topics, snapshots);
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
        SnapshotStore snapshots = trainOnAll(topics, stream);
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

    /** Versions and example counts rise in the store, and the models topic announced exactly those versions. */
    private static void assertVersionsIncreaseAndEachIsAnnouncedOnce(Topics topics, SnapshotStore snapshots) {
        List<SnapshotManifest> history = history(snapshots);
        assertThat(history).extracting(SnapshotManifest::version).isSorted().doesNotHaveDuplicates();
        assertThat(history).extracting(TrainerJobTest::seen).isSorted();
        List<Long> announced = readAll(topics.models(), history.size()).stream()
                .map(r -> SnapshotManifest.fromJson(r.value()).version()).toList();
        assertThat(announced).isSorted().doesNotHaveDuplicates()
                .containsExactlyElementsOf(history.stream().map(SnapshotManifest::version).toList());
    }

    private static List<SnapshotManifest> history(SnapshotStore snapshots) {
        return snapshots.versions("blobs").stream().map(v -> snapshots.manifest("blobs", v)).toList();
    }

    @Test
    void aNewJobWithoutFlinkStateResumesTheLatestSnapshotAndNoExampleIsLostOrCountedTwice() throws Exception {
        Topics topics = kafka.topics();
        List<Example> first = OnlineLearnerTest.blobs(3000, 16, "r");
        SnapshotStore snapshots = trainOnAll(topics, first);
        SnapshotManifest before = snapshots.latest("blobs").orElseThrow();
        assertThat(before.files()).containsKey(StartingPoint.STATE_FILE);

        List<Example> second = OnlineLearnerTest.blobs(3000, 17, "s");
        produce(topics, second, List.of());
        trainOnAll(config(topics, SPEC).build(), snapshots, first.size() + second.size());
        List<SnapshotManifest> resumed = history(snapshots).stream()
                .filter(m -> m.version() > before.version()).toList();
        assertThat(resumed).isNotEmpty();
        assertThat(resumed.get(0).parentVersion()).as("the new job continued the last version")
                .isEqualTo(before.version());
        assertThat(resumed.get(0).examplesSeen()).as("its count continues, it did not start over")
                .isGreaterThan(before.examplesSeen());
        SnapshotManifest last = resumed.get(resumed.size() - 1);
        assertThat(seen(last)).as("examples trained + held out = produced").isEqualTo(first.size() + second.size());
        assertThat(last.sourceOffsets().values().stream().mapToLong(Long::longValue).sum())
                .isEqualTo(first.size() + second.size());
        assertThat(last.metric("holdout_accuracy")).isGreaterThanOrEqualTo(before.metric("holdout_accuracy") - 0.02);
    }

    @Test
    void aStoreThatCannotBeWrittenIsReportedTrainingGoesOnAndPublishingResumesWhenItIsBack() throws Exception {
        Topics topics = kafka.topics();
        List<Example> first = OnlineLearnerTest.blobs(2000, 18, "u");
        List<Example> second = OnlineLearnerTest.blobs(2000, 19, "w");
        produce(topics, first, List.of());
        SnapshotStore snapshots = new SnapshotStore(store);
        Path aside = store.resolveSibling(store.getFileName() + "-aside");
        JobClient job = TrainerJob.runLocal(config(topics, SPEC).build(), new Configuration());
        List<ConsumerRecord<byte[], byte[]>> events;
        try {
            await().atMost(Duration.ofSeconds(120)).until(() -> snapshots.latest("blobs")
                    .map(m -> seen(m) == first.size()).orElse(false));
            // Tests run as root, so permissions would not stop the trainer: the store becomes a file instead.
            Files.move(store, aside);
            Files.writeString(store, "not a directory");
            produce(topics, second, List.of());
            events = kafka.reader(topics.events()).awaitUntil(records -> records.stream()
                    .anyMatch(r -> EventCodec.decode(r.value()) instanceof SnapshotPublishFailedEvent));
            Files.delete(store);
            Files.move(aside, store);
            awaitPublished(topics, snapshots, m -> seen(m) == first.size() + second.size());
        } finally {
            job.cancel().get();
            if (Files.isDirectory(aside)) {
                Files.deleteIfExists(store);
                Files.move(aside, store);
            }
        }
        SnapshotPublishFailedEvent failed = events.stream().map(r -> EventCodec.decode(r.value()))
                .filter(e -> e instanceof SnapshotPublishFailedEvent).map(SnapshotPublishFailedEvent.class::cast)
                .findFirst().orElseThrow();
        assertThat(failed.model()).isEqualTo("blobs");
        assertThat(failed.component()).isEqualTo("trainer");
        assertThat(failed.checkpointId()).isPositive();
        assertThat(failed.examplesSeen()).isGreaterThan(0);
        assertThat(failed.reason()).contains(store.toString());
        assertVersionsIncreaseAndEachIsAnnouncedOnce(topics, snapshots);
    }

    @Test
    void qualityGateRefusesADivergingRunAndItNeverReachesTheModelsTopic() throws Exception {
        Topics topics = kafka.topics();
        List<Example> stream = OnlineLearnerTest.blobs(3000, 13, "g");
        SnapshotStore snapshots = trainOnAll(topics, stream);
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
        // Before its first finite step the bad run may still publish: its non-finite steps are rolled back, so its
        // parameters are the good version's and pass the gate. What must never be published is what the gate
        // refused, nor anything the gate should have refused.
        double good = snapshots.manifest("blobs", goodVersion).metric(ManifestMetrics.HOLDOUT_ACCURACY);
        List<SnapshotManifest> afterGood = history(snapshots).stream().filter(m -> m.version() > goodVersion).toList();
        assertThat(afterGood).as("the refused checkpoint never became a version")
                .noneMatch(m -> m.checkpointId() == refusal.checkpointId() && m.parentVersion() == goodVersion
                        && m.examplesSeen() == refusal.examplesSeen());
        assertThat(afterGood).as("every version after the good one passed the gate's margin (0.05)")
                .allMatch(m -> m.metric(ManifestMetrics.HOLDOUT_ACCURACY) >= good - 0.05);
        List<Long> announced = readAll(topics.models(), 1).stream()
                .map(r -> SnapshotManifest.fromJson(r.value()).version()).toList();
        assertThat(announced).as("the models topic announces only stored versions")
                .isSubsetOf(history(snapshots).stream().map(SnapshotManifest::version).toList());
    }
}
