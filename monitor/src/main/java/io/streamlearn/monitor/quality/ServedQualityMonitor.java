package io.streamlearn.monitor.quality;

import io.prometheus.client.CollectorRegistry;
import io.streamlearn.core.drift.DriftDetector;
import io.streamlearn.core.event.DriftEvent;
import io.streamlearn.core.event.EventCodec;
import io.streamlearn.core.event.PlatformEvent;
import io.streamlearn.core.example.CodecException;
import io.streamlearn.core.feedback.Feedback;
import io.streamlearn.core.feedback.FeedbackJsonCodec;
import io.streamlearn.core.kafka.KafkaClients;
import io.streamlearn.core.prediction.Prediction;
import io.streamlearn.core.prediction.PredictionCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Served quality: joins the predictions topic with the late ground-truth labels of the feedback topic by id,
 * within a window, and exports {@code streamlearn_served_accuracy{model,version}} and the join's counts; a
 * drift detector per model watches the served error and puts a {@link DriftEvent} on the events topic. Shadow
 * predictions (the model that did not answer a request served with a challenger) join the same labels, and with
 * {@link PromotionRules} on, {@link ChampionChallenger} (through {@link Decisions}) promotes or refuses challengers and rolls a champion that
 * serves worse back; each decision is written as a promotion to the models topic, an event and a metric.
 *
 * <pre>{@code
 * try (ServedQualityMonitor monitor = new ServedQualityMonitor(config, CollectorRegistry.defaultRegistry)) {
 *     monitor.start();
 *     ...
 *     monitor.accuracy("mlp", 7);   // what the gauge says
 * }
 * }</pre>
 *
 * <p>One thread reads both topics with one consumer, assigned to every partition (no consumer group: the join's
 * state is in memory, so a restart starts a new join from the topics' end, or their beginning with
 * {@link QualityConfig#fromBeginning()}). Reads are {@code read_committed}, so predictions of an exactly-once
 * serving count once.
 */
public final class ServedQualityMonitor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ServedQualityMonitor.class);
    private static final String COMPONENT = PlatformEvent.MONITOR;
    /**
     * Labeled predictions after a detection during which further detections of the same model are not reported:
     * ADWIN drops its window a bucket at a time, so one change gives a burst of detections 32 values apart.
     */
    static final long DRIFT_COOLDOWN = 1_000;

    private final QualityConfig config;
    private final ServedQualityMetrics metrics;
    private final LabelJoin join;
    private final Decisions decisions;
    private final AtomicLong shadowMatched = new AtomicLong();
    private final AtomicLong shadowExpired = new AtomicLong();
    private final Map<String, DriftDetector> detectors = new HashMap<>();
    private final Map<String, Long> labeledPerModel = new HashMap<>();
    private final Map<String, Long> lastDrift = new HashMap<>();
    private final Map<String, Double> accuracies = new ConcurrentHashMap<>();
    private final List<DriftEvent> driftEvents = new CopyOnWriteArrayList<>();
    private final AtomicLong matched = new AtomicLong();
    private final AtomicLong correct = new AtomicLong();
    private final AtomicLong expired = new AtomicLong();
    private final AtomicLong unmatched = new AtomicLong();
    private final AtomicLong invalid = new AtomicLong();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final Object lifecycle = new Object();
    private volatile boolean running;
    private volatile boolean assigned;
    private KafkaConsumer<byte[], byte[]> consumer;
    private KafkaProducer<byte[], byte[]> producer;
    private Thread thread;
    private boolean closed;

    /** A monitor for {@code config} whose metrics go to {@code registry}; nothing connects until {@link #start()}. */
    public ServedQualityMonitor(QualityConfig config, CollectorRegistry registry) {
        if (config == null || registry == null) {
            throw new IllegalArgumentException("a served-quality monitor needs a config and a metrics registry");
        }
        this.config = config;
        this.metrics = new ServedQualityMetrics(registry, config.accuracyWindow());
        this.decisions = new Decisions(config, metrics);
        this.join = new LabelJoin(config.window().toMillis(), config.maxPending(), new LabelJoin.Listener() {
            @Override
            public void matched(LabelJoin.Match m) {
                onMatch(m);
            }

            @Override
            public void expiredPrediction(Prediction p) {
                expired.incrementAndGet();
                metrics.join.labels("expired").inc();
            }

            @Override
            public void expiredShadow(Prediction p) {
                shadowExpired.incrementAndGet();
                metrics.join.labels("shadow_expired").inc();
            }

            @Override
            public void unmatchedLabel(Feedback f) {
                unmatched.incrementAndGet();
                metrics.join.labels("unmatched").inc();
            }

            @Override
            public void duplicate(String side) {
                metrics.join.labels("duplicate").inc();
            }
        });
    }

    /** Connects and starts the join thread. */
    public void start() {
        synchronized (lifecycle) {
            if (closed || thread != null) {
                throw new IllegalStateException("served-quality monitor already " + (closed ? "closed" : "started"));
            }
            running = true;
            consumer = KafkaClients.consumer(config.bootstrapServers(), null, config.kafkaOverrides());
            producer = KafkaClients.producer(config.bootstrapServers(), config.kafkaOverrides());
            decisions.connect(producer);
            thread = new Thread(this::run, "streamlearn-monitor-quality");
            thread.setDaemon(true);
            thread.start();
        }
        LOG.info("served-quality monitor started: {}", config);
    }

    private void run() {
        try {
            assign();
            while (running) {
                ConsumerRecords<byte[], byte[]> batch = consumer.poll(Duration.ofMillis(100));
                // Predictions before labels within a batch: a request's shadow prediction, written with its answer,
                // is then held when the label comes, even if the poll returned the label's partition first.
                for (ConsumerRecord<byte[], byte[]> r : batch) {
                    if (r.topic().equals(config.topics().predictions())) {
                        onPrediction(r, config.clock().millis(), false);
                    } else if (r.topic().equals(config.topics().shadowPredictions())) {
                        onPrediction(r, config.clock().millis(), true);
                    }
                }
                for (ConsumerRecord<byte[], byte[]> r : batch.records(config.topics().feedback())) {
                    onFeedback(r, config.clock().millis());
                }
                join.expire(config.clock().millis());
                metrics.pending.labels("prediction").set(join.pendingPredictions());
                metrics.pending.labels("label").set(join.pendingLabels());
            }
        } catch (WakeupException e) {
            if (running) {
                failure.compareAndSet(null, e);
            }
        } catch (RuntimeException e) {
            if (running) {
                failure.compareAndSet(null, e);
                LOG.error("served-quality monitor stopped: {}; restart it", e.toString(), e);
            }
        }
    }

    private void assign() {
        List<TopicPartition> parts = new ArrayList<>();
        for (String topic : List.of(config.topics().predictions(), config.topics().shadowPredictions(),
                config.topics().feedback())) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
            if ((infos == null || infos.isEmpty()) && topic.equals(config.topics().shadowPredictions())) {
                // Topics created before challengers existed: no shadow predictions to join, the rest works.
                LOG.warn("topic {} does not exist: shadow predictions are not joined and challengers are not "
                        + "compared; create it (streamlearn broker does) and restart the monitor", topic);
                continue;
            }
            if (infos == null || infos.isEmpty()) {
                throw new IllegalStateException("topic " + topic + " does not exist on " + config.bootstrapServers()
                        + "; create the platform's topics first (streamlearn demo/broker do) or fix --topic-prefix");
            }
            for (PartitionInfo p : infos) {
                parts.add(new TopicPartition(p.topic(), p.partition()));
            }
        }
        consumer.assign(parts);
        if (config.fromBeginning()) {
            consumer.seekToBeginning(parts);
        } else {
            consumer.seekToEnd(parts);
        }
        // Resolve the positions now, so what is produced after this returns is read.
        for (TopicPartition tp : parts) {
            consumer.position(tp);
        }
        assigned = true;
    }

    private void onPrediction(ConsumerRecord<byte[], byte[]> r, long now, boolean shadow) {
        Prediction p;
        try {
            p = PredictionCodec.decode(r.value(), r.headers());
        } catch (CodecException | IllegalArgumentException e) {
            invalid(r, e);
            return;
        }
        if (shadow) {
            join.onShadowPrediction(p, now);
        } else {
            join.onPrediction(p, now);
        }
    }

    private void onFeedback(ConsumerRecord<byte[], byte[]> r, long now) {
        Feedback f;
        try {
            f = FeedbackJsonCodec.decode(r.key(), r.value());
        } catch (IllegalArgumentException e) {
            invalid(r, e);
            return;
        }
        join.onLabel(f, now);
    }

    private void invalid(ConsumerRecord<byte[], byte[]> r, RuntimeException e) {
        long n = invalid.incrementAndGet();
        metrics.join.labels("invalid").inc();
        // Bad input is counted, not logged per record: the first and then every 1000th.
        if (n == 1 || n % 1000 == 0) {
            LOG.warn("{}: {} (partition {}, offset {}); {} invalid records so far", r.topic(), e.getMessage(),
                    r.partition(), r.offset(), n);
        }
    }

    /**
     * One labeled prediction: the accuracy (or a regression model's error) of the versions that scored it, the
     * champion/challenger decisions, and drift on the served error; for a regression model drift watches the absolute
     * error divided by the target's standard deviation over the version's window, capped at 1 (as the trainer does).
     */
    private void onMatch(LabelJoin.Match m) {
        matched.incrementAndGet();
        metrics.join.labels("matched").inc();
        Prediction p = m.prediction();
        double error;
        if (m.isRegression()) {
            ServedQualityMetrics.ServedError e = metrics.recordError(p.model(), p.version(), m.absoluteError(),
                    m.squaredError(), m.targetMean());
            error = e.targetStd() > 0 ? Math.min(1, m.absoluteError() / e.targetStd()) : Double.NaN;
        } else {
            correct.addAndGet(m.correct() ? 1 : 0);
            accuracies.put(p.model() + "\u0000" + p.version(), metrics.record(p.model(), p.version(), m.correct()));
            error = m.correct() ? 0 : 1;
            if (m.shadow() != null) {
                // Per-version accuracy covers every labeled request a version scored, answered or in shadow.
                shadowMatched.incrementAndGet();
                Prediction s = m.shadow();
                accuracies.put(s.model() + "\u0000" + s.version(),
                        metrics.record(s.model(), s.version(), m.error(s) == 0));
            }
        }
        decisions.onMatch(m, config.clock().millis());
        long seen = labeledPerModel.merge(p.model(), 1L, Long::sum);
        if (config.driftDetector() != null && !Double.isNaN(error)) {
            watchServedError(p, seen, error);
        }
    }

    private void watchServedError(Prediction p, long seen, double error) {
        DriftDetector d = detectors.computeIfAbsent(p.model(), x -> DriftDetector.parse(config.driftDetector()));
        if (d.updateRise(error)
                && seen - lastDrift.getOrDefault(p.model(), -DRIFT_COOLDOWN) >= DRIFT_COOLDOWN) {
            lastDrift.put(p.model(), seen);
            DriftEvent e = new DriftEvent(p.model(), COMPONENT, d.name(), DriftEvent.SERVED_ERROR, seen, p.version(),
                    d.estimate(), config.clock().millis());
            driftEvents.add(e);
            metrics.drift.labels(COMPONENT, p.model(), d.name(), DriftEvent.SERVED_ERROR).inc();
            LOG.warn("drift in the served error of {} v{} after {} labeled predictions: error rate now {}", p.model(),
                    p.version(), seen, e.estimate());
            producer.send(EventCodec.record(config.topics().events(), e), (md, ex) -> {
                        if (ex != null) {
                            LOG.warn("could not put a drift event of {} on {}: {}", e.model(),
                                    config.topics().events(), ex.toString());
                        }
                    });
        }
    }

    /** Whether the consumer is assigned and positioned: records produced from now on are joined. */
    public boolean isReady() {
        return assigned && failure.get() == null;
    }

    /** Predictions joined with their label. */
    public long matched() {
        return matched.get();
    }

    /** Of the matched predictions, those whose label was the predicted one: served accuracy over the whole run. */
    public long correct() {
        return correct.get();
    }

    /** Predictions that got no label within the window. */
    public long expired() {
        return expired.get();
    }

    /** Labels that found no prediction within the window. */
    public long unmatched() {
        return unmatched.get();
    }

    /** Matched requests that also had a shadow prediction: both versions were scored on the label. */
    public long shadowMatched() {
        return shadowMatched.get();
    }

    /** Shadow predictions that got no label (or came after it). */
    public long shadowExpired() {
        return shadowExpired.get();
    }

    /** The promotions, refusals and rollbacks decided and carried out so far (also on the events topic), oldest first. */
    public List<PlatformEvent> decisionEvents() {
        return decisions.events();
    }

    /** The version answering {@code model}'s requests, as the joined predictions show it; 0 before any. */
    public long champion(String model) {
        return decisions.champion(model);
    }

    /** Records of any of the three topics that could not be decoded. */
    public long invalid() {
        return invalid.get();
    }

    /** The served accuracy of a version over its last labeled predictions, as the gauge exports it. */
    public OptionalDouble accuracy(String model, long version) {
        Double a = accuracies.get(model + "\u0000" + version);
        return a == null ? OptionalDouble.empty() : OptionalDouble.of(a);
    }

    /** The drifts detected on served error so far (also on the events topic), oldest first. */
    public List<DriftEvent> driftEvents() {
        return List.copyOf(driftEvents);
    }

    /** Why the join thread stopped, when it did. */
    public Optional<Throwable> failure() {
        return Optional.ofNullable(failure.get());
    }

    @Override
    public void close() {
        Thread t;
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            closed = true;
            running = false;
            t = thread;
        }
        if (t != null) {
            consumer.wakeup();
            try {
                t.join(30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (consumer != null) {
            consumer.close(Duration.ofSeconds(5));
        }
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
        }
        metrics.unregister();
    }
}
