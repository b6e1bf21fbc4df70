package io.streamlearn.trainer.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamlearn.core.example.Example;
import io.streamlearn.core.kafka.Topics;
import io.streamlearn.core.model.ModelSpec;
import io.streamlearn.core.model.OptimizerSpec;
import io.streamlearn.core.snapshot.SnapshotManifest;
import io.streamlearn.core.snapshot.SnapshotStore;
import io.streamlearn.core.testkit.KafkaBrokerExtension;
import io.streamlearn.trainer.learn.OnlineLearnerTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Publishing on the trainer's publisher thread, in Flink's operator test harness with a real broker and store: only a
 * completed checkpoint's draft is published, versions strictly increase, the next checkpoint's state carries the
 * published version, a failed publish drafts again at the next checkpoint, close lets a completed checkpoint's publish
 * finish and leaves no publisher thread behind.
 */
class OnlineTrainerPublishingTest {
    private static final ModelSpec SPEC = ModelSpec.mlp("blobs", 4, 3, 16).withOptimizer(OptimizerSpec.adam(0.01f));
    private static final String THREAD = "trainer-publish blobs";

    @RegisterExtension
    static final KafkaBrokerExtension kafka = KafkaBrokerExtension.perClass();

    @TempDir
    Path store;

    private OnlineTrainerOperator operator(Topics topics) {
        return new OnlineTrainerOperator(TrainerConfig.builder().setBootstrapServers(kafka.bootstrapServers())
                .setSpec(SPEC).setStoreRoot(store.toString()).optTopicPrefix(topics.prefix()).optDriftDetector("none")
                .optMaxWaitMs(1_000_000).build(), StartingPoint.fresh());
    }

    private static void feed(OneInputStreamOperatorTestHarness<Example, Void> h, List<Example> examples)
            throws Exception {
        for (Example e : examples) {
            h.processElement(new StreamRecord<>(e));
        }
    }

    private static boolean publisherThreadAlive() {
        return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals(THREAD) && t.isAlive());
    }

    @Test
    void publishesOnlyCompletedCheckpointsInIncreasingVersionsAndTheNextCheckpointCarriesTheVersion()
            throws Exception {
        Topics topics = kafka.topics();
        OnlineTrainerOperator op = operator(topics);
        SnapshotStore snapshots = new SnapshotStore(store);
        List<Example> stream = OnlineLearnerTest.blobs(32 * 6, 31, "p");
        try (var h = new OneInputStreamOperatorTestHarness<>(op)) {
            h.open();
            feed(h, stream.subList(0, 64));
            h.snapshot(1, 1);
            feed(h, stream.subList(64, 128));
            h.snapshot(2, 2);
            // Checkpoint 1 never completes; 2 does, and supersedes 1's draft.
            h.notifyOfCompletedCheckpoint(2);
            assertThat(publisherThreadAlive()).as("the publish runs on the publisher thread").isTrue();
            h.snapshot(3, 3);
            assertThat(op.currentState().parentVersion())
                    .as("the checkpoint after a completed one waits for its publish and carries its version")
                    .isEqualTo(1);
            feed(h, stream.subList(128, 192));
            h.snapshot(4, 4);
            h.notifyOfCompletedCheckpoint(4);
            feed(h, stream.subList(0, 32));
            h.snapshot(5, 5);
        }
        assertThat(snapshots.versions("blobs")).as("checkpoints 2 and 4 published, never 1, 3 (no new examples) or 5 "
                + "(not completed)").containsExactly(1L, 2L);
        SnapshotManifest v1 = snapshots.manifest("blobs", 1);
        SnapshotManifest v2 = snapshots.manifest("blobs", 2);
        assertThat(v1.checkpointId()).isEqualTo(2);
        assertThat(v1.examplesSeen() + (long) v1.metric("holdout_examples")).isEqualTo(128);
        assertThat(v2.checkpointId()).isEqualTo(4);
        assertThat(v2.parentVersion()).isEqualTo(1);
        assertThat(kafka.reader(topics.models()).readAtLeast(2)).hasSize(2);
        assertThat(publisherThreadAlive()).as("close stopped the publisher thread").isFalse();
    }

    @Test
    void aFailedPublishIsReportedAndTheNextCheckpointDraftsAgainWithoutNewExamples() throws Exception {
        Topics topics = kafka.topics();
        OnlineTrainerOperator op = operator(topics);
        SnapshotStore snapshots = new SnapshotStore(store);
        try (var h = new OneInputStreamOperatorTestHarness<>(op)) {
            h.open();
            feed(h, OnlineLearnerTest.blobs(64, 32, "q"));
            // A file where the model's folder goes: the store cannot stage the snapshot.
            Path blocker = Files.writeString(store.resolve("blobs"), "not a folder");
            h.snapshot(1, 1);
            h.notifyOfCompletedCheckpoint(1);
            h.snapshot(2, 2);
            assertThat(op.currentState().parentVersion()).isZero();
            Files.delete(blocker);
            h.notifyOfCompletedCheckpoint(2);
            assertThat(op.currentState().parentVersion()).isEqualTo(1);
        }
        assertThat(snapshots.versions("blobs")).containsExactly(1L);
        assertThat(snapshots.manifest("blobs", 1).checkpointId()).as("checkpoint 2 drafted again after the failure")
                .isEqualTo(2);
    }

    @Test
    void closeRightAfterACompletedCheckpointStillPublishesIt() throws Exception {
        Topics topics = kafka.topics();
        OnlineTrainerOperator op = operator(topics);
        try (var h = new OneInputStreamOperatorTestHarness<>(op)) {
            h.open();
            feed(h, OnlineLearnerTest.blobs(64, 33, "r"));
            h.snapshot(1, 1);
            h.notifyOfCompletedCheckpoint(1);
        }
        assertThat(new SnapshotStore(store).versions("blobs")).containsExactly(1L);
        assertThat(kafka.reader(topics.models()).readAtLeast(1)).hasSize(1);
        assertThat(publisherThreadAlive()).isFalse();
    }
}
