package io.streamlearn.serving;

import io.prometheus.client.CollectorRegistry;
import io.streamlearn.core.event.EventCodec;
import io.streamlearn.core.event.SnapshotRefusedEvent;
import io.streamlearn.core.kafka.KafkaClients;
import io.streamlearn.core.snapshot.SnapshotException;
import io.streamlearn.core.snapshot.SnapshotManifest;
import io.streamlearn.core.snapshot.SnapshotStore;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.KafkaException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The prediction service: answers requests from the requests topic onto the predictions topic with
 * the newest verified snapshot of one model, hot-swapped as the models topic announces new versions.
 *
 * <pre>{@code
 * try (PredictionService service = new PredictionService(config, CollectorRegistry.defaultRegistry)) {
 *     service.start();
 *     service.awaitClose(); // or run until shutdown
 * }
 * }</pre>
 *
 * <p>Two threads: a model follower (reads the models topic from the beginning, no consumer group,
 * loads, verifies and swaps snapshots; see {@link ModelSelection} for which manifest it follows) and a
 * request loop (consumer group on the requests topic, micro-batches, one forward pass per batch; commits
 * offsets after the batch's records are acknowledged: at-least-once, or in one Kafka transaction with
 * them when {@link ServingConfig#exactlyOnce()}). A snapshot that fails a check is refused and the
 * current model keeps serving; a request that cannot be answered goes to the predictions dead-letter
 * topic with its reason, and the service goes on. With {@link ServingConfig#httpEnabled()} an HTTP
 * endpoint (and its micro-batcher thread) answers {@code POST /v1/predict}, {@code /healthz},
 * {@code /readyz} and {@code /metrics}.
 */
public final class PredictionService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PredictionService.class);
    private static final Duration JOIN_TIMEOUT = Duration.ofSeconds(30);

    private final ServingConfig config;
    private final SnapshotStore store;
    private final ServingMetrics metrics;
    private final CollectorRegistry registry;
    private final AtomicReference<LoadedModel> current = new AtomicReference<>();
    private final CountDownLatch firstModel = new CountDownLatch(1);
    // Counted down by close() or by a service thread that failed: what a command's main thread waits on.
    private final CountDownLatch finished = new CountDownLatch(1);
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final AtomicLong swaps = new AtomicLong();
    private final AtomicLong refusedSnapshots = new AtomicLong();

    private final Object lifecycle = new Object();
    private volatile boolean running;
    private boolean started;
    private boolean closed;
    // Events (refusals); in at-least-once mode also the predictions. Never transactional.
    private KafkaProducer<byte[], byte[]> producer;
    // The request loop's producer: transactional in exactly-once mode, else the same as producer.
    private KafkaProducer<byte[], byte[]> requestProducer;
    private HttpEndpoint http;
    private HttpBatcher httpBatcher;
    private Thread httpBatcherThread;
    private volatile ModelFollower follower;
    private volatile RequestLoop requestLoop;
    private Thread followerThread;
    private Thread requestThread;

    /**
     * A service for {@code config} whose metrics go to {@code registry} (tests pass a private one).
     * Nothing connects until {@link #start()}.
     */
    public PredictionService(ServingConfig config, CollectorRegistry registry) {
        if (config == null || registry == null) {
            throw new IllegalArgumentException("a prediction service needs a config and a metrics registry");
        }
        this.config = config;
        this.store = new SnapshotStore(config.storeRoot(), config.clock());
        this.registry = registry;
        this.metrics = new ServingMetrics(registry, this::modelAgeSeconds);
    }

    /**
     * Connects and starts the model follower and the request loop. With a pinned version, that version
     * is loaded from the store before this returns.
     *
     * @throws SnapshotException when the pinned version cannot be served (it is also refused: counted, logged
     *                           and announced on the events topic)
     * @throws IllegalStateException when already started or closed
     */
    public void start() {
        synchronized (lifecycle) {
            if (closed) {
                throw new IllegalStateException("prediction service for " + config.model() + " is closed; "
                        + "create a new one");
            }
            if (started) {
                throw new IllegalStateException("prediction service for " + config.model() + " already started");
            }
            started = true;
            running = true;
            producer = KafkaClients.producer(config.bootstrapServers(), config.kafkaOverrides());
            requestProducer = producer;
        }
        boolean ok = false;
        try {
            if (config.exactlyOnce()) {
                requestProducer = transactionalProducer();
            }
            if (config.httpEnabled()) {
                startHttp();
            }
            ok = true;
        } finally {
            if (!ok) {
                close();
            }
        }
        if (config.pinned()) {
            loadPinned();
        }
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            if (!config.pinned()) {
                follower = new ModelFollower(this, config);
                followerThread = newThread(follower, "streamlearn-serving-models-" + config.model());
                followerThread.start();
            }
            requestLoop = new RequestLoop(this, config, requestProducer, metrics);
            requestThread = newThread(requestLoop, "streamlearn-serving-requests-" + config.model());
            requestThread.start();
        }
        LOG.info("prediction service started: {}", config);
    }

    private KafkaProducer<byte[], byte[]> transactionalProducer() {
        Map<String, String> overrides = new LinkedHashMap<>(config.kafkaOverrides());
        overrides.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, config.transactionalId());
        overrides.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, Integer.toString(config.transactionTimeoutMs()));
        KafkaProducer<byte[], byte[]> p = KafkaClients.producer(config.bootstrapServers(), overrides);
        try {
            // Fences an earlier producer with our id and aborts its open transaction.
            p.initTransactions();
            return p;
        } catch (KafkaException e) {
            p.close(Duration.ZERO);
            throw new IllegalStateException("exactly-once: cannot initialize transactions for transactional.id "
                    + config.transactionalId() + " on " + config.bootstrapServers() + ": " + e.getMessage()
                    + "; the broker must support transactions (transaction.state.log.* settings, ACLs), or run "
                    + "without exactly-once", e);
        }
    }

    private void startHttp() {
        httpBatcher = new HttpBatcher(this, config, metrics);
        httpBatcherThread = newThread(httpBatcher, "streamlearn-serving-http-batcher-" + config.model());
        httpBatcherThread.start();
        http = new HttpEndpoint(this, config.httpHost(), config.httpPort(), httpBatcher, registry, metrics);
        LOG.info("HTTP endpoint of {} on http://{}:{}/ (POST /v1/predict, GET /healthz /readyz /metrics)",
                config.model(), http.address().getHostString(), http.address().getPort());
    }

    /** The address the HTTP endpoint is bound to (its actual port when 0 was configured); empty when disabled. */
    public Optional<InetSocketAddress> httpAddress() {
        HttpEndpoint h = http;
        return h == null ? Optional.empty() : Optional.of(h.address());
    }

    private void loadPinned() {
        long v = config.pinVersion();
        boolean ok = false;
        try {
            SnapshotManifest m;
            try {
                m = store.manifest(config.model(), v);
            } catch (RuntimeException e) {
                String reason = "pinned version " + v + " is not in the snapshot store " + store.root() + ": "
                        + e.getMessage() + "; publish it, pin a version listed by the store, or unset pinVersion";
                refuse(v, reason, e);
                throw new SnapshotException(reason, e);
            }
            if (!tryInstall(m)) {
                throw new SnapshotException("pinned version " + config.model() + " v" + v + " was refused (see the "
                        + "log and the events topic " + config.topics().events() + "); pin another version or unset "
                        + "pinVersion");
            }
            ok = true;
        } finally {
            if (!ok) {
                close();
            }
        }
    }

    private Thread newThread(Runnable r, String name) {
        Thread t = new Thread(() -> {
            try {
                r.run();
            } catch (Throwable e) {
                if (running) {
                    failure.compareAndSet(null, e);
                    LOG.error("{} stopped: {}; the service is no longer ready, restart it", name, e.toString(), e);
                    finished.countDown();
                }
            }
        }, name);
        t.setDaemon(false);
        return t;
    }

    /** Version currently serving, 0 until a model is loaded. */
    public long currentVersion() {
        LoadedModel m = current.get();
        return m == null ? 0 : m.version();
    }

    /** Whether a model is loaded, the request loop consumes, and no thread has failed. */
    public boolean isReady() {
        return notReadyReason() == null;
    }

    /** Why the service is not ready, or null when it is: what {@code GET /readyz} answers with 503. */
    public String notReadyReason() {
        if (!running) {
            return "the prediction service is not running";
        }
        Throwable f = failure.get();
        if (f != null) {
            return "a service thread stopped: " + f + "; restart the service";
        }
        if (current.get() == null) {
            return "no model of " + config.model() + " is loaded yet: waiting for a manifest on "
                    + config.topics().models() + " (or the pinned version)";
        }
        RequestLoop loop = requestLoop;
        if (loop == null || !loop.isConsuming()) {
            return "model loaded, the request loop is not consuming " + config.topics().requests() + " yet";
        }
        return null;
    }

    /** Seconds since the serving snapshot was published (by the config's clock), NaN while none is serving. */
    public double modelAgeSeconds() {
        LoadedModel m = current.get();
        return m == null ? Double.NaN : (config.clock().millis() - m.manifest().createdMs()) / 1000.0;
    }

    /** Requests answered with a prediction (acknowledged by Kafka). */
    public long served() {
        RequestLoop loop = requestLoop;
        return loop == null ? 0 : loop.served();
    }

    /** Requests sent to the predictions dead-letter topic (acknowledged by Kafka). */
    public long rejected() {
        RequestLoop loop = requestLoop;
        return loop == null ? 0 : loop.rejected();
    }

    /** Snapshot versions put into service, the first one included. */
    public long swaps() {
        return swaps.get();
    }

    /** Snapshots refused (checksum, spec, load or warm-up failure). */
    public long refusedSnapshots() {
        return refusedSnapshots.get();
    }

    /** Why a service thread stopped, when one did. */
    public Optional<Throwable> failure() {
        return Optional.ofNullable(failure.get());
    }

    public ServingConfig config() {
        return config;
    }

    /**
     * Blocks until {@link #close()} has finished (e.g. from a shutdown hook) or a service thread failed; then
     * {@link #failure()} tells which, and the caller still closes the service.
     */
    public void awaitClose() throws InterruptedException {
        finished.await();
    }

    /** Stops both threads (waiting for the batch in flight), closes the Kafka clients and frees the model. */
    @Override
    public void close() {
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            closed = true;
            running = false;
        }
        if (http != null) {
            http.close();
        }
        ModelFollower f = follower;
        RequestLoop r = requestLoop;
        if (f != null) {
            f.wakeup();
        }
        if (r != null) {
            r.wakeup();
        }
        join(followerThread);
        join(requestThread);
        join(httpBatcherThread);
        if (requestProducer != null && requestProducer != producer) {
            requestProducer.close(Duration.ofSeconds(10));
        }
        if (producer != null) {
            producer.close(Duration.ofSeconds(10));
        }
        LoadedModel m = current.getAndSet(null);
        if (m != null) {
            m.close();
        }
        metrics.unregister();
        finished.countDown();
        LOG.info("prediction service for {} closed: served {}, rejected {}, swaps {}, refused snapshots {}",
                config.model(), served(), rejected(), swaps(), refusedSnapshots());
    }

    private static void join(Thread t) {
        if (t == null) {
            return;
        }
        try {
            t.join(JOIN_TIMEOUT.toMillis());
            if (t.isAlive()) {
                LOG.warn("{} did not stop within {} s", t.getName(), JOIN_TIMEOUT.toSeconds());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- used by the model follower and the request loop ----

    boolean running() {
        return running;
    }

    SnapshotStore store() {
        return store;
    }

    /** Waits up to {@code timeout} for the first model; true when one is loaded. */
    boolean awaitFirstModel(Duration timeout) throws InterruptedException {
        return firstModel.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** The serving model, retained for one batch (release it), or null when none is loaded. */
    LoadedModel acquire() {
        while (true) {
            LoadedModel m = current.get();
            if (m == null || m.tryRetain()) {
                return m;
            }
            // Swapped out and freed between the read and the retain: the reference now holds its successor.
        }
    }

    /**
     * Loads, verifies and swaps in {@code manifest}'s snapshot; a snapshot that fails any check is refused
     * and the current model keeps serving. Returns whether it was put into service.
     */
    boolean tryInstall(SnapshotManifest manifest) {
        LoadedModel next;
        try {
            next = LoadedModel.load(store, manifest, config.maxBatch(), config.topK());
        } catch (SnapshotException e) {
            refuse(manifest.version(), e.getMessage(), e);
            return false;
        } catch (RuntimeException e) {
            // I/O and engine failures while loading are a refusal too: the current model stays.
            refuse(manifest.version(), "snapshot " + manifest.model() + " v" + manifest.version()
                    + " cannot be loaded: " + e, e);
            return false;
        }
        LoadedModel serving = current.get();
        if (serving != null) {
            String change = inputContractChange(serving, next);
            if (change != null) {
                next.close();
                refuse(manifest.version(), change, null);
                return false;
            }
        }
        LoadedModel old = current.getAndSet(next);
        metrics.modelVersion.set(next.version());
        metrics.swaps.inc();
        swaps.incrementAndGet();
        firstModel.countDown();
        if (old != null) {
            // Freed now, or by the in-flight batch that still holds it when that batch ends.
            old.close();
        }
        LOG.info("serving {} v{} (was {}), {} examples seen, sha256 {}", next.name(), next.version(),
                old == null ? "none" : "v" + old.version(), manifest.examplesSeen(), manifest.paramsSha256());
        return true;
    }

    private static String inputContractChange(LoadedModel serving, LoadedModel next) {
        var a = serving.spec().input();
        var b = next.spec().input();
        if (a.featureCount() != b.featureCount() || a.featureType() != b.featureType()) {
            return "snapshot " + next.name() + " v" + next.version() + " changes the request contract from "
                    + a.featureCount() + " " + a.dtype() + " features (v" + serving.version() + ") to "
                    + b.featureCount() + " " + b.dtype() + "; requests written for the serving version would be "
                    + "rejected: publish the new input under a new model name";
        }
        if (serving.spec().classes() != next.spec().classes()) {
            return "snapshot " + next.name() + " v" + next.version() + " changes the number of classes from "
                    + serving.spec().classes() + " (v" + serving.version() + ") to " + next.spec().classes()
                    + "; publish the new output under a new model name";
        }
        return null;
    }

    /** Counts, logs and announces on the events topic a snapshot that will not be served. */
    void refuse(long version, String reason, Throwable cause) {
        refusedSnapshots.incrementAndGet();
        metrics.refusedSnapshots.inc();
        LoadedModel serving = current.get();
        String keeps = serving == null ? "no model is serving yet" : "v" + serving.version() + " keeps serving";
        if (cause == null || cause instanceof SnapshotException) {
            LOG.warn("refused snapshot {} v{}: {}; {}", config.model(), version, reason, keeps);
        } else {
            // An unexpected failure type: keep its stack trace for whoever fixes the publisher or the store.
            LOG.warn("refused snapshot {} v{}: {}; {}", config.model(), version, reason, keeps, cause);
        }
        KafkaProducer<byte[], byte[]> p = producer;
        if (p == null) {
            return;
        }
        p.send(EventCodec.record(config.topics().events(), SnapshotRefusedEvent.byServing(config.model(), version,
                serving == null ? 0 : serving.version(), reason, config.clock().millis())), (md, e) -> {
                    if (e != null) {
                        LOG.error("could not write the snapshot_refused event of {} v{} to {}: {}", config.model(),
                                version, config.topics().events(), e.toString());
                    }
                });
    }
}
