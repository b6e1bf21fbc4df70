package io.streamlearn.serving.model;

import io.streamlearn.core.kafka.KafkaClients;
import io.streamlearn.core.snapshot.ManifestSignature;
import io.streamlearn.core.snapshot.ModelPromotion;
import io.streamlearn.core.snapshot.ModelRefusal;
import io.streamlearn.core.snapshot.SnapshotManifest;
import io.streamlearn.core.snapshot.UntrustedManifestException;
import io.streamlearn.serving.ConsumerLoop;
import io.streamlearn.serving.ServingConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the compacted models topic from the beginning, without a consumer group, and hands the
 * manifest {@link ModelSelection} decides on (the newest published version, or an operator's
 * {@linkplain ModelPromotion promotion}) to {@link ServingModel#tryInstall}, or to {@link
 * ServingModel#tryInstallChallenger} when a new version must first run as challenger; a {@linkplain ModelRefusal
 * refusal} by the monitor stops the challenger it names.
 */
public final class ModelFollower extends ConsumerLoop {
    private static final Logger LOG = LoggerFactory.getLogger(ModelFollower.class);
    private static final Duration POLL = Duration.ofMillis(200);

    private final ServingConfig config;
    private final ServingModel model;
    private final byte[] modelKey;
    private final ModelSelection selection;

    /** A follower of {@code config}'s model that installs into {@code model}; run it on its own thread. */
    public ModelFollower(ServingConfig config, ServingModel model) {
        this.config = config;
        this.model = model;
        this.modelKey = config.model().getBytes(StandardCharsets.UTF_8);
        this.selection = new ModelSelection(config.challenger());
    }

    @Override
    protected KafkaConsumer<byte[], byte[]> openConsumer() {
        Map<String, String> overrides = config.profile().consumer(config.kafkaOverrides());
        // No group: every serving instance reads every manifest; a group would split them.
        overrides.remove(ConsumerConfig.GROUP_ID_CONFIG);
        overrides.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "streamlearn-serving-models-" + config.model());
        return KafkaClients.consumer(config.bootstrapServers(), null, overrides);
    }

    @Override
    protected void consume(KafkaConsumer<byte[], byte[]> c) {
        String topic = config.topics().models();
        List<TopicPartition> partitions = awaitPartitions(c, topic);
        if (partitions == null) {
            return;
        }
        c.assign(partitions);
        c.seekToBeginning(partitions);
        LOG.info("following {} for model {} ({} partitions)", topic, config.model(), partitions.size());
        Map<TopicPartition, Long> history = historyEnd(c, partitions);
        while (running()) {
            for (ConsumerRecord<byte[], byte[]> r : c.poll(POLL)) {
                if (ModelRefusal.isRefusal(config.model(), r.key(), r.headers())) {
                    onRefusal(r);
                    continue;
                }
                SnapshotManifest m = manifestOf(r);
                if (m == null) {
                    continue;
                }
                boolean promoted = ModelPromotion.isPromotion(r.headers());
                if (promoted) {
                    selection.published(model.newestStoredLike(m));
                }
                switch (selection.offer(m, promoted)) {
                    case CANDIDATE -> { }
                    case OLDER -> LOG.info("{}: ignoring the announcement of {} v{} at offset {}: v{} was installed "
                            + "after it (promote it to roll back)", r.topic(), m.model(), m.version(), r.offset(),
                            selection.highestInstalled());
                    case OTHER_STORE -> model.refuseOtherStore(m, "the serving version v" + model.currentVersion()
                            + " was published by store " + selection.storeId() + " (" + r.topic() + " partition "
                            + r.partition() + ", offset " + r.offset() + ")");
                    case OTHER_LINEAGE -> model.refuseOtherLineage(m, selection.lineageId(), r.topic()
                            + " partition " + r.partition() + ", offset " + r.offset());
                }
            }
            if (history != null && caughtUp(c, history)) {
                history = null;
            }
            if (history == null) {
                installNext();
            }
        }
    }

    /**
     * Where the topic ends as serving starts: nothing is installed before the history up to there is read, so a
     * refusal or promotion in a later poll (or on another partition) never lets a version answer it should not.
     * Null (install as records come) when the broker does not say within the poll's bounds.
     */
    private static Map<TopicPartition, Long> historyEnd(KafkaConsumer<byte[], byte[]> c, List<TopicPartition> ps) {
        try {
            return c.endOffsets(ps, Duration.ofSeconds(30));
        } catch (KafkaException e) {
            LOG.warn("could not read where the models topic ends ({}); installing as manifests are read", e.toString());
            return null;
        }
    }

    private static boolean caughtUp(KafkaConsumer<byte[], byte[]> c, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (c.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    /**
     * Tries the candidates, highest first, until none is left: of a burst of manifests (a restart reading the
     * topic's history) only the last decision per slot is loaded, and a refused one makes way for the one before it.
     */
    private void installNext() {
        ModelSelection.Candidate next;
        while (running() && (next = selection.take(model.currentVersion(), model.challengerVersion())) != null) {
            if (next.promoted()) {
                LOG.info("{} v{} was promoted: moving from v{} to it{}", next.manifest().model(),
                        next.manifest().version(), model.currentVersion(), selection.rolledBack() ? " (a rollback: "
                        + "newer versions enter as challengers until one is promoted)" : "");
            }
            boolean challenger = next.role() == ModelSelection.Role.CHALLENGER;
            if (challenger ? model.tryInstallChallenger(next.manifest()) : model.tryInstall(next.manifest())) {
                // Go on: a promotion read in the same poll may be followed by a challenger to start.
                selection.installed(next);
            }
        }
    }

    /**
     * The monitor refused a challenger ({@link ModelRefusal}): it and older versions of its lineage are no candidates,
     * and a running challenger it covers stops at once (read in any order with the manifests: another key, maybe
     * another partition).
     */
    private void onRefusal(ConsumerRecord<byte[], byte[]> r) {
        SnapshotManifest refused = r.value() == null ? null : parse(r);
        if (refused == null) {
            return;
        }
        if (config.verifyKey() != null) {
            try {
                // A refusal only ever takes a version out, yet a forged one could silence every challenger.
                ManifestSignature.verify(refused, config.verifyKey());
            } catch (UntrustedManifestException e) {
                LOG.warn("{}: ignoring the refusal of {} v{} at partition {} offset {}: {} (sign the monitor's "
                        + "refusals with --signing-key-file)", r.topic(), config.model(), refused.version(),
                        r.partition(), r.offset(), e.getMessage());
                return;
            }
        }
        selection.refuse(refused);
        long stopped = model.stopChallengerIf(selection::refuses, "the monitor refused v" + refused.version() + " ("
                + r.topic() + " partition " + r.partition() + ", offset " + r.offset() + ")");
        if (stopped == 0) {
            LOG.info("{}: {} v{} and older versions of its lineage were refused by the monitor: never taken as "
                    + "challenger again unless promoted", r.topic(), config.model(), refused.version());
        }
    }

    private SnapshotManifest manifestOf(ConsumerRecord<byte[], byte[]> r) {
        if (r.key() == null || !Arrays.equals(r.key(), modelKey)) {
            return null;
        }
        if (r.value() == null) {
            // A tombstone retires the model on the topic; the loaded version keeps serving until shutdown.
            LOG.info("{}: tombstone for model {} at partition {} offset {}; keeping the serving version",
                    r.topic(), config.model(), r.partition(), r.offset());
            return null;
        }
        return parse(r);
    }

    /** The manifest {@code r} holds, or null (refused loudly) when it is unreadable or names another model. */
    private SnapshotManifest parse(ConsumerRecord<byte[], byte[]> r) {
        SnapshotManifest m;
        try {
            m = SnapshotManifest.fromJson(r.value());
        } catch (IllegalArgumentException e) {
            model.refuse(0, r.topic() + ": unreadable manifest at partition " + r.partition() + ", offset "
                    + r.offset() + ": " + e.getMessage(), null);
            return null;
        }
        if (!m.model().equals(config.model())) {
            model.refuse(m.version(), r.topic() + ": manifest keyed '" + new String(r.key(), StandardCharsets.UTF_8)
                    + "' names model '" + m.model() + "' (partition " + r.partition() + ", offset " + r.offset()
                    + "); the publisher must key each manifest by its model name", null);
            return null;
        }
        return m;
    }

    /** The topic's partitions once it exists; null when the service closes first. */
    private List<TopicPartition> awaitPartitions(KafkaConsumer<byte[], byte[]> c, String topic) {
        long warnAt = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (running()) {
            List<PartitionInfo> infos;
            try {
                infos = c.partitionsFor(topic, Duration.ofSeconds(5));
            } catch (TimeoutException e) {
                infos = List.of();
            }
            if (infos != null && !infos.isEmpty()) {
                List<TopicPartition> out = new ArrayList<>(infos.size());
                for (PartitionInfo p : infos) {
                    out.add(new TopicPartition(p.topic(), p.partition()));
                }
                return out;
            }
            if (System.nanoTime() > warnAt) {
                LOG.warn("topic {} does not exist on {}; waiting for it (create the platform topics first)", topic,
                        config.bootstrapServers());
                warnAt = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            }
            // partitionsFor of a missing topic can return at once: back off instead of spinning.
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
        return null;
    }
}
