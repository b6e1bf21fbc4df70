package io.streamlearn.serving.model;

import io.streamlearn.core.event.EventCodec;
import io.streamlearn.core.event.SnapshotRefusedEvent;
import io.streamlearn.core.snapshot.ManifestSignature;
import io.streamlearn.core.snapshot.SnapshotException;
import io.streamlearn.core.snapshot.SnapshotManifest;
import io.streamlearn.core.snapshot.SnapshotStore;
import io.streamlearn.core.snapshot.UntrustedManifestException;
import io.streamlearn.serving.ServingConfig;
import io.streamlearn.serving.ServingMetrics;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The models a serving instance answers with: the champion and, with a {@link ChallengerRule} or after a rollback, a
 * challenger; acquires either for one batch, installs a new snapshot after its checks and the request-contract check,
 * and refuses (counts, logs, announces) one that fails them.
 *
 * <p>The request loop, the HTTP batcher and the model follower share one instance; none of them holds a model
 * longer than a batch, so a swap frees the old version as soon as its last batch ends. Promoting the challenger moves
 * the loaded model into the champion's slot: it is not loaded twice.
 */
public final class ServingModel implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ServingModel.class);

    private final ServingConfig config;
    private final SnapshotStore store;
    private final ServingMetrics metrics;
    private final AtomicReference<LoadedModel> current = new AtomicReference<>();
    private final AtomicReference<LoadedModel> challenger = new AtomicReference<>();
    // The challenger version whose last failure was logged: a failing challenger logs once, not once per batch.
    private final AtomicLong loggedChallengerFailure = new AtomicLong();
    private final CountDownLatch firstModel = new CountDownLatch(1);
    private final AtomicLong swaps = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    // Whether the shadow topic was found when the challenger started: checked there, off the request path.
    private volatile boolean shadowWritable;
    // Where refusals are announced; null until the service has connected (a refusal is then only counted and logged).
    private volatile KafkaProducer<byte[], byte[]> events;

    /** The model slot of {@code config}'s model, loading snapshots from {@code store}; empty until an install. */
    public ServingModel(ServingConfig config, SnapshotStore store, ServingMetrics metrics) {
        this.config = config;
        this.store = store;
        this.metrics = metrics;
    }

    /** Announces refusals on the events topic through {@code producer} from now on (owned by the caller). */
    public void announceRefusalsWith(KafkaProducer<byte[], byte[]> producer) {
        this.events = producer;
    }

    /** The serving model, retained for one batch (release it), or null when none is loaded. */
    public LoadedModel acquire() {
        while (true) {
            LoadedModel m = current.get();
            if (m == null || m.tryRetain()) {
                return m;
            }
            // Swapped out and freed between the read and the retain: the reference now holds its successor.
        }
    }

    /** The challenger, retained for one batch (release it), or null when none runs. */
    public LoadedModel acquireChallenger() {
        while (true) {
            LoadedModel m = challenger.get();
            if (m == null || m.tryRetain()) {
                return m;
            }
        }
    }

    /** Version running as challenger, 0 when none. */
    public long challengerVersion() {
        LoadedModel m = challenger.get();
        return m == null ? 0 : m.version();
    }

    /** How the challenger is run (the service's rule). */
    public ChallengerRule challengerRule() {
        return config.challenger();
    }

    /**
     * Counts a failure of the challenger's scoring or of writing its prediction, logged once per version: it never
     * fails or delays the answer, so it is no dead letter either.
     */
    public void challengerFailed(long version, String what, Throwable cause) {
        metrics.challengerOutcome(false, 0, true);
        if (loggedChallengerFailure.getAndSet(version) != version) {
            LOG.warn("challenger {} v{}: {} failed: {}; the champion v{} answers on, further failures of v{} are only "
                    + "counted (streamlearn_serving_challenger_errors_total)", config.model(), version, what,
                    cause.toString(), currentVersion(), version, cause);
        }
    }

    /**
     * The newest version in the store when it belongs to {@code promoted}'s store and lineage, else 0: after
     * compaction the models topic may no longer show that a promotion was a rollback, the store still does.
     */
    long newestStoredLike(SnapshotManifest promoted) {
        try {
            long latest = store.latestVersion(config.model());
            if (latest <= promoted.version()) {
                return 0;
            }
            SnapshotManifest newest = store.manifest(config.model(), latest);
            return Objects.equals(newest.storeId(), promoted.storeId())
                    && Objects.equals(newest.lineageId(), promoted.lineageId()) ? latest : 0;
        } catch (RuntimeException e) {
            return 0; // unreadable store: the topic's history alone decides
        }
    }

    /** Waits up to {@code timeout} for the first model; true when one is loaded. */
    public boolean awaitFirst(Duration timeout) throws InterruptedException {
        return firstModel.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Whether a model is loaded. */
    public boolean loaded() {
        return current.get() != null;
    }

    /** Version currently serving, 0 until a model is loaded. */
    public long currentVersion() {
        LoadedModel m = current.get();
        return m == null ? 0 : m.version();
    }

    /** Seconds since the serving snapshot was published (by the config's clock), NaN while none is serving. */
    public double ageSeconds() {
        LoadedModel m = current.get();
        return m == null ? Double.NaN : (config.clock().millis() - m.manifest().createdMs()) / 1000.0;
    }

    /** Snapshot versions put into service, the first one included. */
    public long swaps() {
        return swaps.get();
    }

    /** Snapshots refused (checksum, spec, load, warm-up or contract failure). */
    public long refused() {
        return refused.get();
    }

    /**
     * Loads the pinned version {@code version} from the store before any request is answered.
     *
     * @throws SnapshotException when it is not in the store or is refused (it is then also counted, logged and
     *                           announced)
     */
    public void installPinned(long version) {
        SnapshotManifest m;
        try {
            m = store.manifest(config.model(), version);
        } catch (RuntimeException e) {
            String reason = "pinned version " + version + " is not in the snapshot store " + store.root() + ": "
                    + e.getMessage() + "; publish it, pin a version listed by the store, or unset pinVersion";
            refuse(version, reason, e);
            throw new SnapshotException(reason, e);
        }
        if (!tryInstall(m)) {
            throw new SnapshotException("pinned version " + config.model() + " v" + version + " was refused (see the "
                    + "log and the events topic " + config.topics().events() + "); pin another version or unset "
                    + "pinVersion");
        }
    }

    /**
     * Loads, verifies and swaps in {@code manifest}'s snapshot as the champion (or moves the challenger of that
     * version into the champion's slot); a snapshot that fails any check is refused and the current model keeps
     * serving. Returns whether it was put into service.
     */
    public boolean tryInstall(SnapshotManifest manifest) {
        LoadedModel running = challenger.get();
        if (running != null && running.version() == manifest.version()
                && running.manifest().paramsSha256().equals(manifest.paramsSha256())
                && challenger.compareAndSet(running, null)) {
            metrics.challenger(0);
            LOG.info("challenger {} v{} promoted to champion", running.name(), running.version());
            putChampion(running, manifest);
            return true;
        }
        LoadedModel next = loadChecked(manifest);
        if (next == null) {
            return false;
        }
        putChampion(next, manifest);
        return true;
    }

    /**
     * Loads and verifies {@code manifest}'s snapshot as the challenger beside the serving champion, replacing an
     * earlier challenger; a snapshot that fails any check is refused. Returns whether it runs now.
     */
    public boolean tryInstallChallenger(SnapshotManifest manifest) {
        if (current.get() == null) {
            return tryInstall(manifest);
        }
        LoadedModel next = loadChecked(manifest);
        if (next == null) {
            return false;
        }
        checkShadowTopic(next.version());
        LoadedModel old = challenger.getAndSet(next);
        metrics.challenger(next.version());
        if (old != null) {
            old.close();
        }
        LOG.info("challenger {} v{} runs beside champion v{} in {} mode (was {}), {} examples seen, sha256 {}",
                next.name(), next.version(), currentVersion(), config.challenger().routing().settingName(),
                old == null ? "none" : "v" + old.version(), manifest.examplesSeen(), manifest.paramsSha256());
        return true;
    }

    /**
     * Stops the challenger when {@code refused} says so of its manifest (the monitor refused it): from the next batch
     * on the champion answers every request and nothing is scored in shadow. Returns the version stopped, 0 if none.
     */
    public long stopChallengerIf(Predicate<SnapshotManifest> refused, String why) {
        LoadedModel ch = challenger.get();
        if (ch == null || !refused.test(ch.manifest()) || !challenger.compareAndSet(ch, null)) {
            return 0;
        }
        metrics.challenger(0);
        LOG.info("challenger {} v{} stops: {}; champion v{} answers every request", ch.name(), ch.version(), why,
                currentVersion());
        ch.close();
        return ch.version();
    }

    /** Whether shadow predictions can be sent: the shadow topic was found when the challenger started. */
    public boolean shadowWritable() {
        return shadowWritable;
    }

    /**
     * Looks the shadow topic up through the announcing producer, which also writes the shadow predictions: a send to
     * a missing topic blocks for max.block.ms, which must never happen on the request path. Without the topic the
     * challenger still runs (a canary still answers) but its other scores are not written.
     */
    private void checkShadowTopic(long version) {
        KafkaProducer<byte[], byte[]> p = events;
        String topic = config.topics().shadowPredictions();
        try {
            shadowWritable = p != null && !p.partitionsFor(topic).isEmpty();
        } catch (KafkaException e) {
            shadowWritable = false;
            challengerFailed(version, "looking up topic " + topic + " (create it, e.g. with "
                    + "docker/kafka/create-topics.sh, and grant serving WRITE on it; no shadow prediction is written "
                    + "until the next challenger)", e);
        }
    }

    /** {@code manifest}'s snapshot loaded after every check, or null when it was refused. */
    private LoadedModel loadChecked(SnapshotManifest manifest) {
        if (config.verifyKey() != null) {
            try {
                // First: nothing of an untrusted manifest (not even the folder it names) is read.
                ManifestSignature.verify(manifest, config.verifyKey());
            } catch (UntrustedManifestException e) {
                metrics.untrustedSnapshot();
                refuse(manifest.version(), e.getMessage(), e);
                return null;
            }
        }
        String otherStore = InstallChecks.otherStoreReason(store, manifest);
        if (otherStore != null) {
            refuseOtherStore(manifest, otherStore);
            return null;
        }
        LoadedModel next;
        try {
            next = LoadedModel.load(store, manifest, config.maxBatch(), config.topK(), config.precision());
        } catch (SnapshotException e) {
            refuse(manifest.version(), e.getMessage(), e);
            return null;
        } catch (RuntimeException e) {
            // I/O and engine failures while loading are a refusal too: the current model stays.
            refuse(manifest.version(), "snapshot " + manifest.model() + " v" + manifest.version()
                    + " cannot be loaded: " + e, e);
            return null;
        }
        LoadedModel serving = current.get();
        if (serving != null) {
            String change = InstallChecks.inputContractChange(serving, next);
            if (change != null) {
                next.close();
                refuse(manifest.version(), change, null);
                return null;
            }
        }
        return next;
    }

    /** Swaps {@code next} in as the champion; a challenger not newer than it has nothing left to prove and stops. */
    private void putChampion(LoadedModel next, SnapshotManifest manifest) {
        LoadedModel old = current.getAndSet(next);
        metrics.swapped(next.version());
        swaps.incrementAndGet();
        firstModel.countDown();
        if (old != null) {
            // Freed now, or by the in-flight batch that still holds it when that batch ends.
            old.close();
        }
        LOG.info("serving {} v{} (was {}), {} examples seen, sha256 {}", next.name(), next.version(),
                old == null ? "none" : "v" + old.version(), manifest.examplesSeen(), manifest.paramsSha256());
        LoadedModel ch = challenger.get();
        if (ch != null && ch.version() <= next.version() && challenger.compareAndSet(ch, null)) {
            metrics.challenger(0);
            LOG.info("challenger {} v{} stops: champion v{} is as new", ch.name(), ch.version(), next.version());
            ch.close();
        }
    }

    /**
     * Refuses {@code manifest}, published by another store than serving's (its store id differs from {@code
     * context}'s): a re-created store whose versions restarted, or a second trainer publishing the same model name.
     * Counted apart as well ({@code streamlearn_serving_foreign_snapshots_total}), since it needs an operator.
     */
    void refuseOtherStore(SnapshotManifest manifest, String context) {
        metrics.foreignSnapshot();
        refuse(manifest.version(), "snapshot " + manifest.model() + " v" + manifest.version() + " was published by "
                + "snapshot store " + manifest.storeId() + " but " + context + ". Versions of two stores cannot be "
                + "compared: the store was re-created (its versions restart at 1) or a second trainer publishes model "
                + manifest.model() + " into another store. Point every trainer and serving instance of the model at "
                + "one store; to follow a re-created store, restart serving or promote one of its versions", null);
    }

    /**
     * Refuses {@code manifest}, published under another lineage than the serving version's ({@code servingLineage}):
     * a second trainer publishes the same model name into the same store, or a trainer was restarted with {@code
     * --fresh}. Counted as foreign, like another store's: an operator decides which lineage serves.
     */
    void refuseOtherLineage(SnapshotManifest manifest, String servingLineage, String where) {
        metrics.foreignSnapshot();
        refuse(manifest.version(), "snapshot " + manifest.model() + " v" + manifest.version() + " belongs to lineage "
                + manifest.lineageId() + " but the serving version v" + currentVersion() + " to lineage "
                + servingLineage + " (" + where + "): a second trainer publishes model " + manifest.model()
                + ", or a trainer was restarted with --fresh. Serving keeps its lineage; to follow the new one, run "
                + "streamlearn models promote " + manifest.version() + " --model " + manifest.model()
                + ", or stop the trainer that should not publish", null);
    }

    /** Counts, logs and announces on the events topic a snapshot that will not be served. */
    void refuse(long version, String reason, Throwable cause) {
        refused.incrementAndGet();
        metrics.refusedSnapshot();
        LoadedModel serving = current.get();
        String keeps = serving == null ? "no model is serving yet" : "v" + serving.version() + " keeps serving";
        if (cause == null || cause instanceof SnapshotException) {
            LOG.warn("refused snapshot {} v{}: {}; {}", config.model(), version, reason, keeps);
        } else {
            // An unexpected failure type: keep its stack trace for whoever fixes the publisher or the store.
            LOG.warn("refused snapshot {} v{}: {}; {}", config.model(), version, reason, keeps, cause);
        }
        KafkaProducer<byte[], byte[]> p = events;
        if (p == null) {
            return;
        }
        p.send(refusedEvent(version, reason, serving == null ? 0 : serving.version()), (md, e) -> {
            if (e != null) {
                LOG.error("could not write the snapshot_refused event of {} v{} to {}: {}", config.model(),
                        version, config.topics().events(), e.toString());
            }
        });
    }

    /** The one place the snapshot_refused event is built: its fields are the contract the monitor and tests read. */
    private ProducerRecord<byte[], byte[]> refusedEvent(long version, String reason, long servingVersion) {
        return EventCodec.record(config.topics().events(), SnapshotRefusedEvent.byServing(config.model(), version,
                servingVersion, reason, config.clock().millis()));
    }

    /** Frees the serving model (in-flight batches finish on it first); later installs are still possible. */
    @Override
    public void close() {
        for (AtomicReference<LoadedModel> slot : List.of(current, challenger)) {
            LoadedModel m = slot.getAndSet(null);
            if (m != null) {
                m.close();
            }
        }
    }
}
