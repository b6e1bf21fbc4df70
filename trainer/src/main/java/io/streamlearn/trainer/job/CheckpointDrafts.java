package io.streamlearn.trainer.job;

import io.streamlearn.core.event.PlatformEvent;
import io.streamlearn.core.event.SnapshotPublishFailedEvent;
import io.streamlearn.core.event.SnapshotRefusedEvent;
import io.streamlearn.core.snapshot.ManifestMetrics;
import io.streamlearn.core.snapshot.SnapshotDraft;
import io.streamlearn.core.snapshot.SnapshotManifest;
import io.streamlearn.trainer.snapshot.QualityGate;
import io.streamlearn.trainer.snapshot.SnapshotPublisher;
import io.streamlearn.trainer.learn.LearningMetrics;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The trainer's drafts waiting for their checkpoint to complete, and what happens then: the newest completed one is
 * judged by the {@link QualityGate} and published, refused or reported as failed (with its event and metric), on the
 * publisher thread ({@link PublisherThread}).
 */
final class CheckpointDrafts {
    private static final Logger LOG = LoggerFactory.getLogger(CheckpointDrafts.class);

    /** What became of a completed checkpoint's draft. */
    enum Result { PUBLISHED, REFUSED, FAILED }

    /** A completed checkpoint's outcome: the manifest and draft when {@link Result#PUBLISHED}. */
    record Outcome(Result result, SnapshotManifest manifest, SnapshotDraft draft) {}

    /** A checkpoint's state waiting for that checkpoint to complete. */
    private record Pending(SnapshotDraft draft, boolean parametersFinite) {}

    /** The draft to publish for a completed checkpoint. */
    record Completed(long checkpointId, SnapshotDraft draft, boolean parametersFinite) {}

    private final String model;
    private final SnapshotPublisher publisher;
    private final QualityGate gate;
    private final TreeMap<Long, Pending> pending = new TreeMap<>();
    private final Counter refusedCounter;
    private final Counter publishFailedCounter;

    CheckpointDrafts(String model, SnapshotPublisher publisher, QualityGate gate, MetricGroup group) {
        this.model = model;
        this.publisher = publisher;
        this.gate = gate;
        this.refusedCounter = group.counter("refused_snapshots");
        this.publishFailedCounter = group.counter("snapshot_publish_failures");
    }

    /** The provenance of a draft's data: topic, examples seen, group and how many subtasks trained it. */
    static Map<String, String> source(TrainerConfig config, LearningMetrics metrics, int subtasks) {
        Map<String, String> source = new LinkedHashMap<>();
        source.put("topic", config.topics().examples());
        source.put("examples_seen", Long.toString(metrics.examples + metrics.heldOut));
        source.put("group_id", config.groupId());
        source.put("subtasks", Integer.toString(subtasks));
        return source;
    }

    /** The state of {@code checkpointId}, published if that checkpoint completes and the gate lets it. */
    void add(long checkpointId, SnapshotDraft draft, boolean parametersFinite) {
        pending.put(checkpointId, new Pending(draft, parametersFinite));
    }

    /**
     * Takes the newest draft up to the completed {@code checkpointId} off the pending ones (older ones are
     * superseded: only the newest completed state is worth serving); null when none waits. On the task thread.
     */
    Completed take(long checkpointId) {
        var done = pending.headMap(checkpointId, true);
        if (done.isEmpty()) {
            return null;
        }
        Pending newest = done.lastEntry().getValue();
        done.clear();
        return new Completed(checkpointId, newest.draft(), newest.parametersFinite());
    }

    /**
     * Judges and publishes a completed checkpoint's draft: on the publisher thread, which touches nothing of the
     * operator's but this draft, the publisher (a thread-safe producer, the store's atomic rename) and the counters.
     */
    Outcome publish(Completed c) {
        SnapshotDraft draft = c.draft();
        long checkpointId = c.checkpointId();
        String refusal = gate.refusal(c.parametersFinite(), draft.metrics(),
                draft.metrics().getOrDefault(ManifestMetrics.CHAMPION_HOLDOUT_ACCURACY, Double.NaN));
        if (refusal != null) {
            refuse(draft, checkpointId, refusal);
            return new Outcome(Result.REFUSED, null, draft);
        }
        SnapshotManifest m;
        try {
            m = publisher.publish(draft);
        } catch (RuntimeException e) {
            publishFailed(draft, checkpointId, e);
            return new Outcome(Result.FAILED, null, draft);
        }
        LOG.info("published {} v{} at checkpoint {}: {} examples, prequential accuracy {}, holdout accuracy {}",
                m.model(), m.version(), checkpointId, m.examplesSeen(), m.metric(ManifestMetrics.PREQUENTIAL_ACCURACY),
                m.metric(ManifestMetrics.HOLDOUT_ACCURACY));
        return new Outcome(Result.PUBLISHED, m, draft);
    }

    /**
     * A checkpoint's state that could not be published is reported, not fatal: the checkpoint itself is safe in
     * Flink, training goes on, and the next checkpoint drafts again even without new examples, so publishing
     * resumes as soon as the store (or the models topic) is back. The store allocates versions, so none collides.
     */
    private void publishFailed(SnapshotDraft draft, long checkpointId, RuntimeException e) {
        publishFailedCounter.inc();
        LOG.error("could not publish the snapshot of {} at checkpoint {} ({} examples); training goes on and the next "
                + "checkpoint tries again: {}", model, checkpointId, draft.examplesSeen(), e.toString(), e);
        publisher.sendEvent(new SnapshotPublishFailedEvent(model, PlatformEvent.TRAINER, checkpointId,
                draft.examplesSeen(), String.valueOf(e.getMessage()), Clock.systemUTC().millis()));
    }

    private void refuse(SnapshotDraft draft, long checkpointId, String reason) {
        refusedCounter.inc();
        LOG.warn("quality gate refused the snapshot of {} at checkpoint {} ({} examples): {}", model,
                checkpointId, draft.examplesSeen(), reason);
        publisher.sendEvent(SnapshotRefusedEvent.byTrainer(model, checkpointId, draft.examplesSeen(), reason,
                Clock.systemUTC().millis()));
    }
}
