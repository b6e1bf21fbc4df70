package io.streamlearn.trainer.job;

import io.streamlearn.core.snapshot.SnapshotManifest;
import io.streamlearn.core.snapshot.SnapshotStore;
import io.streamlearn.trainer.state.TrainerState;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a trainer without restored Flink state starts, decided once when the job is built so that the Kafka source
 * and the trainer operator follow the same snapshot. By default it resumes the latest published snapshot of its
 * model: parameters, optimizer state, metrics, drift detector and buffered examples from the snapshot's
 * {@value #STATE_FILE}, and the source from the snapshot's offsets, so the examples after that snapshot's checkpoint
 * are trained again and none is lost (the group's committed offsets also advance past snapshots the quality gate
 * refused). {@code --init-from N} warm-starts from version N's parameters only; {@code --fresh} starts from new
 * parameters. Both read from the group's committed offsets (the earliest when it has none).
 *
 * @param kind          how the trainer starts
 * @param version       the snapshot it starts from (resume, warm start), 0 for none
 * <p>It also fixes the trainer's lineage ({@code SnapshotManifest#lineageId}): a fresh start mints a new one, here,
 * once per job, so that a task restarting before its first checkpoint keeps it; resume and warm start continue the
 * lineage of the snapshot they start from. Serving does not follow a new lineage until an operator promotes it.
 *
 * @param kind          how the trainer starts
 * @param version       the snapshot it starts from (resume, warm start), 0 for none
 * @param sourceOffsets per partition of the examples topic, the offset to read from; empty: the committed offsets
 * @param lineageId     the lineage the trainer publishes under; null when the snapshot it starts from has none
 *                      (written before manifest v4): the trainer then mints one
 */
public record StartingPoint(Kind kind, long version, SortedMap<Integer, Long> sourceOffsets, String lineageId)
        implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(StartingPoint.class);

    /** The snapshot file that carries the trainer's resumable state ({@link TrainerState}, parameters apart). */
    public static final String STATE_FILE = "trainer-state.bin";

    /** How a trainer without Flink state starts. */
    public enum Kind {
        /** The whole state of a published snapshot, and the source from its offsets. */
        RESUME,
        /** Only the parameters of a published version (--init-from, or a snapshot without resumable state). */
        WARM_START,
        /** New, seeded parameters (--fresh, or an empty store). */
        FRESH
    }

    public StartingPoint {
        sourceOffsets = sourceOffsets == null ? new TreeMap<>() : new TreeMap<>(sourceOffsets);
    }

    /** A fresh start with a newly minted lineage. */
    public static StartingPoint fresh() {
        return new StartingPoint(Kind.FRESH, 0, null, newLineage());
    }

    /** A new lineage id: random, so two trainers (or a trainer and its {@code --fresh} restart) never share one. */
    public static String newLineage() {
        return UUID.randomUUID().toString();
    }

    /** Where a trainer with {@code config} starts when no Flink state is restored; reads the store once. */
    public static StartingPoint choose(TrainerConfig config) {
        SnapshotStore store = new SnapshotStore(Path.of(config.storeRoot()));
        if (config.initFromVersion() > 0) {
            // A version not in the store fails later, naming it, when the trainer reads its parameters.
            String lineage = store.versions(config.spec().name()).contains(config.initFromVersion())
                    ? store.manifest(config.spec().name(), config.initFromVersion()).lineageId() : null;
            return new StartingPoint(Kind.WARM_START, config.initFromVersion(), null, lineage);
        }
        if (config.fresh()) {
            return fresh();
        }
        Optional<SnapshotManifest> latest = store.latest(config.spec().name());
        if (latest.isEmpty()) {
            return fresh();
        }
        SnapshotManifest m = latest.get();
        if (m.sha256Of(STATE_FILE) == null) {
            LOG.warn("trainer {}: version {} carries no resumable state (written before {}); warm-starting from its "
                    + "parameters with new metrics, the source from the group's committed offsets", m.model(),
                    m.version(), SnapshotManifest.FORMAT);
            return new StartingPoint(Kind.WARM_START, m.version(), null, m.lineageId());
        }
        String topic = m.source().get("topic");
        if (!config.topics().examples().equals(topic)) {
            LOG.warn("trainer {}: version {} was trained on topic {}, this job reads {}: its state is resumed, its "
                    + "offsets are not", m.model(), m.version(), topic, config.topics().examples());
            return new StartingPoint(Kind.RESUME, m.version(), null, m.lineageId());
        }
        return new StartingPoint(Kind.RESUME, m.version(), m.sourceOffsets(), m.lineageId());
    }

    /** The source's starting offsets on {@code topic}; empty when the group's committed offsets apply. */
    public Map<TopicPartition, Long> offsetsOn(String topic) {
        Map<TopicPartition, Long> out = new HashMap<>();
        sourceOffsets.forEach((partition, offset) -> out.put(new TopicPartition(topic, partition), offset));
        return out;
    }

    /**
     * The resumable state of the snapshot this starts from, with the parameters of its DJL file; every file is
     * read once and checked against the manifest's sha256.
     */
    public TrainerState resumedState(SnapshotStore store, String model) {
        if (kind != Kind.RESUME) {
            throw new IllegalStateException("starting point " + kind + " has no state to resume");
        }
        SnapshotManifest m = store.manifest(model, version);
        TrainerState s = TrainerState.decode(store.read(m, STATE_FILE));
        return new TrainerState(store.read(m, m.paramsFile()), s.optimizerState(), s.metrics(), s.buffered(),
                version, s.driftState(), m.lineageId() != null ? m.lineageId() : s.lineageId());
    }

    /** The verified parameters of the version this warm-starts from; fails naming the version when it is not there. */
    public byte[] warmStartParameters(SnapshotStore store, String model) {
        if (kind != Kind.WARM_START) {
            throw new IllegalStateException("starting point " + kind + " does not warm-start");
        }
        SnapshotManifest m = store.manifest(model, version);
        return store.read(m, m.paramsFile());
    }

    /** The verified parameter file of published {@code version}, or null when it is 0 or not in the store. */
    public static byte[] parameters(SnapshotStore store, String model, long version) {
        if (version <= 0 || !store.versions(model).contains(version)) {
            return null;
        }
        SnapshotManifest m = store.manifest(model, version);
        return store.read(m, m.paramsFile());
    }
}
