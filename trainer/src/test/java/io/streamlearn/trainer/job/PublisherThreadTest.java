package io.streamlearn.trainer.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamlearn.core.model.ModelSpec;
import io.streamlearn.core.snapshot.SnapshotDraft;
import io.streamlearn.core.snapshot.SnapshotStore;
import io.streamlearn.trainer.snapshot.QualityGate;
import io.streamlearn.trainer.snapshot.SnapshotPublisher;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link PublisherThread} without Flink: nothing is published for a checkpoint without a draft, and an exception that
 * {@link CheckpointDrafts} does not report and survive (here: the producer is gone when a refusal's event is sent)
 * reaches the task thread, which it fails, as it did when publishing ran there.
 */
class PublisherThreadTest {
    private static final ModelSpec SPEC = ModelSpec.mlp("pt", 4, 2, 8);

    @TempDir
    Path store;

    private final List<CheckpointDrafts.Result> applied = new ArrayList<>();
    /** The task thread's mailbox: the test thread runs what it holds, or awaits instead. */
    private final ConcurrentLinkedQueue<Runnable> mailbox = new ConcurrentLinkedQueue<>();

    private PublisherThread publishing(CheckpointDrafts drafts) {
        return new PublisherThread("trainer-publish pt", getClass().getClassLoader(), mailbox::add, drafts,
                params -> {
                    throw new AssertionError("nothing here is published");
                }, a -> applied.add(a.outcome().result()));
    }

    private static SnapshotDraft draft(long checkpointId) {
        return new SnapshotDraft(SPEC, new byte[] {1, 2}, 10, 2, checkpointId, 0, "PyTorch", "cpu()", Map.of(),
                Map.of());
    }

    @Test
    void aCheckpointWithoutADraftPublishesNothing() {
        try (SnapshotPublisher publisher = new SnapshotPublisher(new SnapshotStore(store), "127.0.0.1:9", "models",
                "events", Map.of()); PublisherThread p = publishing(new CheckpointDrafts("pt", publisher,
                new QualityGate(0.05, 0), new UnregisteredMetricsGroup()))) {
            p.complete(7);
            p.await();
        }
        assertThat(applied).isEmpty();
        assertThat(new SnapshotStore(store).versions("pt")).isEmpty();
    }

    @Test
    void anExceptionOutsideWhatCheckpointDraftsReportsFailsTheTaskThread() {
        SnapshotPublisher publisher = new SnapshotPublisher(new SnapshotStore(store), "127.0.0.1:9", "models",
                "events", Map.of());
        publisher.close();
        CheckpointDrafts drafts = new CheckpointDrafts("pt", publisher, new QualityGate(0.05, 0),
                new UnregisteredMetricsGroup());
        // Non-finite parameters: the gate refuses, and the refusal's event goes to a closed producer.
        drafts.add(1, draft(1), false);
        try (PublisherThread p = publishing(drafts)) {
            p.complete(1);
            assertThatThrownBy(p::await).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("trainer-publish pt: publishing a completed checkpoint's snapshot failed")
                    .hasCauseInstanceOf(IllegalStateException.class);
        }
        assertThat(applied).isEmpty();
        assertThat(new SnapshotStore(store).versions("pt")).isEmpty();
    }
}
