package io.streamlearn.serving;

import io.prometheus.client.CollectorRegistry;
import io.streamlearn.core.kafka.KafkaClients;
import io.streamlearn.core.snapshot.SnapshotException;
import io.streamlearn.core.snapshot.SnapshotStore;
import io.streamlearn.serving.http.HttpBatcher;
import io.streamlearn.serving.http.HttpEndpoint;
import io.streamlearn.serving.kafka.RequestLoop;
import io.streamlearn.serving.model.ModelFollower;
import io.streamlearn.serving.model.ServingModel;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
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
 * loads, verifies and swaps snapshots; see {@code model.ModelSelection} for which manifest it follows) and a
 * request loop (consumer group on the requests topic, micro-batches, one forward pass per batch; commits
 * offsets after the batch's records are acknowledged: at-least-once, or in one Kafka transaction with
 * them when {@link ServingConfig#exactlyOnce()}). A snapshot that fails a check is refused and the
 * current model keeps serving; a request that cannot be answered goes to the predictions dead-letter
 * topic with its reason, and the service goes on. With {@link ServingConfig#httpEnabled()} an HTTP
 * endpoint (and its micro-batcher thread) answers {@code POST /v1/predict}, {@code /healthz},
 * {@code /readyz} and {@code /metrics}.
 *
 * <p>This class only wires and runs the lifecycle: the model and its swaps are {@link ServingModel}'s, readiness is
 * {@link ServiceHealth}'s, and the loops and the endpoint get them by their constructors, never this service.
 */
public final class PredictionService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PredictionService.class);
    private static final Duration JOIN_TIMEOUT = Duration.ofSeconds(30);

    private final ServingConfig config;
    private final ServingMetrics metrics;
    private final CollectorRegistry registry;
    private final ServingModel model;
    private final ServiceHealth health;

    private final Object lifecycle = new Object();
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
        this.registry = registry;
        this.metrics = new ServingMetrics(registry, this::modelAgeSeconds);
        this.model = new ServingModel(config, new SnapshotStore(config.storeRoot(), config.clock()), metrics);
        this.health = new ServiceHealth(config, model);
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
            health.started();
            producer = KafkaClients.producer(config.bootstrapServers(),
                    config.profile().producer(config.kafkaOverrides()));
            requestProducer = producer;
            model.announceRefusalsWith(producer);
        }
        boolean ok = false;
        try {
            if (config.exactlyOnce()) {
                requestProducer = transactionalProducer();
            }
            if (config.httpEnabled()) {
                startHttp();
            }
            if (config.pinned()) {
                model.installPinned(config.pinVersion());
            }
            ok = true;
        } finally {
            if (!ok) {
                close();
            }
        }
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            if (!config.pinned()) {
                follower = new ModelFollower(config, model);
                followerThread = newThread(follower, "streamlearn-serving-models-" + config.model());
                followerThread.start();
            }
            requestLoop = new RequestLoop(config, model, requestProducer, producer, metrics);
            health.watch(requestLoop);
            requestThread = newThread(requestLoop, "streamlearn-serving-requests-" + config.model());
            requestThread.start();
        }
        LOG.info("prediction service started: {}", config);
    }

    private KafkaProducer<byte[], byte[]> transactionalProducer() {
        Map<String, String> overrides = config.profile().producer(config.kafkaOverrides());
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
        httpBatcher = new HttpBatcher(config, model, metrics);
        httpBatcherThread = newThread(httpBatcher, "streamlearn-serving-http-batcher-" + config.model());
        httpBatcherThread.start();
        http = new HttpEndpoint(config, model, health, httpBatcher, registry, metrics);
        LOG.info("HTTP endpoint of {} on http://{}:{}/ (POST /v1/predict, GET /healthz /readyz /metrics)",
                config.model(), http.address().getHostString(), http.address().getPort());
    }

    /** The address the HTTP endpoint is bound to (its actual port when 0 was configured); empty when disabled. */
    public Optional<InetSocketAddress> httpAddress() {
        HttpEndpoint h = http;
        return h == null ? Optional.empty() : Optional.of(h.address());
    }

    private Thread newThread(Runnable r, String name) {
        Thread t = new Thread(() -> {
            try {
                r.run();
            } catch (Throwable e) {
                health.failed(name, e);
            }
        }, name);
        t.setDaemon(false);
        return t;
    }

    /** Version currently serving, 0 until a model is loaded. */
    public long currentVersion() {
        return model.currentVersion();
    }

    /** Version running as challenger beside the champion ({@link #currentVersion()}), 0 when none. */
    public long challengerVersion() {
        return model.challengerVersion();
    }

    /** Whether a model is loaded, the request loop consumes, and no thread has failed. */
    public boolean isReady() {
        return notReadyReason() == null;
    }

    /** Why the service is not ready, or null when it is: what {@code GET /readyz} answers with 503. */
    public String notReadyReason() {
        return health.notReadyReason();
    }

    /** Seconds since the serving snapshot was published (by the config's clock), NaN while none is serving. */
    public double modelAgeSeconds() {
        return model.ageSeconds();
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
        return model.swaps();
    }

    /** Snapshots refused (checksum, spec, load or warm-up failure). */
    public long refusedSnapshots() {
        return model.refused();
    }

    /** Why a service thread stopped, when one did. */
    public Optional<Throwable> failure() {
        return health.failure();
    }

    public ServingConfig config() {
        return config;
    }

    /**
     * Blocks until {@link #close()} has finished (e.g. from a shutdown hook) or a service thread failed; then
     * {@link #failure()} tells which, and the caller still closes the service.
     */
    public void awaitClose() throws InterruptedException {
        health.awaitFinished();
    }

    /** Stops both threads (waiting for the batch in flight), closes the Kafka clients and frees the model. */
    @Override
    public void close() {
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            closed = true;
            health.stopping();
        }
        if (http != null) {
            http.close();
        }
        if (httpBatcher != null) {
            httpBatcher.stop();
        }
        ModelFollower f = follower;
        RequestLoop r = requestLoop;
        if (f != null) {
            f.stop();
        }
        if (r != null) {
            r.stop();
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
        model.close();
        metrics.unregister();
        health.finished();
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
}
