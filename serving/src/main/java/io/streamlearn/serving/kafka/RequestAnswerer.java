package io.streamlearn.serving.kafka;

import io.streamlearn.core.example.CodecException;
import io.streamlearn.core.example.ContentTypes;
import io.streamlearn.core.example.DeadLetters;
import io.streamlearn.core.example.Example;
import io.streamlearn.core.example.ExampleCodec;
import io.streamlearn.core.example.Features;
import io.streamlearn.core.prediction.Prediction;
import io.streamlearn.core.prediction.PredictionJsonCodec;
import io.streamlearn.serving.ServingConfig;
import io.streamlearn.serving.ServingMetrics;
import io.streamlearn.serving.model.ChallengerRule;
import io.streamlearn.serving.model.LoadedModel;
import io.streamlearn.serving.model.ServingModel;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers the request records of one micro-batch: decodes and checks each request, runs the forward passes on one
 * retained model, and sends a prediction or a dead letter for each record. With a challenger running, the model that
 * did not answer a request scores it too, onto the shadow predictions topic (see {@link ChallengerRule}). Delivery
 * (flush, commit or transaction, rewind) is the {@link RequestLoop}'s: this class only remembers the first send that
 * failed.
 */
final class RequestAnswerer {
    private static final Logger LOG = LoggerFactory.getLogger(RequestAnswerer.class);
    private static final int MAX_REASON_CHARS = 1000;
    /**
     * Room left under the producer's max.request.size for a dead letter's key, headers and record overhead: the
     * value is capped at max.request.size minus this, so a rejected request near the size limit still leaves.
     */
    static final int DEAD_LETTER_HEADROOM_BYTES = 64 * 1024;
    /** Largest dead-letter value, as ingest's: whole requests up to here can be replayed from the topic. */
    static final int DEAD_LETTER_MAX_BYTES = 900 * 1024;
    private static final byte[] JSON = ContentTypes.JSON.getBytes(StandardCharsets.UTF_8);

    private final ServingModel model;
    private final KafkaProducer<byte[], byte[]> producer;
    private final ServingMetrics metrics;
    private final Clock clock;
    private final int maxBatch;
    private final String predictionsTopic;
    private final String dlqTopic;
    private final String shadowTopic;
    // Never transactional: a shadow prediction that cannot be written must not abort or repeat the answers' batch.
    private final KafkaProducer<byte[], byte[]> shadowProducer;
    private final int deadLetterMaxBytes;

    private final AtomicReference<Exception> sendError = new AtomicReference<>();
    private final Callback onAck = (md, e) -> {
        if (e != null) {
            sendError.compareAndSet(null, e);
        }
    };
    private long served;
    private long rejected;

    RequestAnswerer(ServingConfig config, ServingModel model, KafkaProducer<byte[], byte[]> producer,
            KafkaProducer<byte[], byte[]> shadowProducer, ServingMetrics metrics) {
        this.model = model;
        this.producer = producer;
        this.shadowProducer = shadowProducer;
        this.metrics = metrics;
        this.clock = config.clock();
        this.maxBatch = config.maxBatch();
        this.predictionsTopic = config.topics().predictions();
        this.dlqTopic = config.topics().predictionsDlq();
        this.shadowTopic = config.topics().shadowPredictions();
        this.deadLetterMaxBytes = deadLetterMaxBytes(config.kafkaOverrides());
    }

    /** The cap of a dead letter's value under the producer's max.request.size ({@code overrides} or Kafka's default). */
    static int deadLetterMaxBytes(Map<String, String> overrides) {
        int maxRequest = 1024 * 1024; // ProducerConfig's default max.request.size
        String set = overrides.get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG);
        if (set != null) {
            try {
                maxRequest = Integer.parseInt(set.trim());
            } catch (NumberFormatException e) {
                // The producer itself refuses the value at start with the key's name.
            }
        }
        return Math.max(1024, Math.min(DEAD_LETTER_MAX_BYTES, maxRequest - DEAD_LETTER_HEADROOM_BYTES));
    }

    /**
     * Checks {@code b} on the poll's thread: decodes and checks each request against the champion, retained (with a
     * challenger) for the whole batch, so a swap never splits it. Sends nothing: a request that cannot be answered is
     * only remembered with its reason, so that its dead letter goes out with the batch's answers, in the same
     * transaction in exactly-once mode.
     */
    void check(RequestBatch b) {
        LoadedModel m = model.acquire();
        b.model = m;
        b.challenger = model.acquireChallenger();
        b.ensureRows(b.pending.size());
        List<ConsumerRecord<byte[], byte[]>> pending = b.pending;
        for (int i = 0; i < pending.size(); i++) {
            ConsumerRecord<byte[], byte[]> r = pending.get(i);
            Example ex = decode(b, r);
            if (ex == null) {
                continue;
            }
            String reason;
            try {
                reason = m.rejectReason(ex.features());
            } catch (RuntimeException e) {
                reason = "cannot check the request against model " + m.name() + " v" + m.version() + ": " + e;
            }
            if (reason != null) {
                b.refuse(r, ex.id() + ": " + reason);
                continue;
            }
            b.addRow(r, ex, b.arrivalNanos[i]);
        }
    }

    /**
     * Runs the forward passes of {@code b}'s rows, checked by {@link #check}, in passes of at most {@code maxBatch}
     * rows on the retained champion, and a canary's before the answers that it gives.
     */
    void score(RequestBatch b) {
        LoadedModel m = b.model;
        boolean canary = b.challenger != null && model.challengerRule().routing() == ChallengerRule.Mode.CANARY;
        if (canary && !b.rows.isEmpty()) {
            b.challenged = new LoadedModel.Scored[b.rows.size()];
        }
        for (int from = 0; from < b.rows.size(); from += maxBatch) {
            int to = Math.min(b.rows.size(), from + maxBatch);
            metrics.batch(to - from);
            List<Features> features = b.rowFeatures.subList(from, to);
            try {
                System.arraycopy(m.predict(features), 0, b.scored, from, to - from);
            } catch (RuntimeException e) {
                LOG.error("forward pass of {} requests on {} failed: {}; they go to {}", to - from, m, e.toString(),
                        dlqTopic, e);
                Arrays.fill(b.rowFailures, from, to, "inference failed on model " + m.name() + " v" + m.version()
                        + ": " + e);
                continue;
            }
            // A canary answers, so its pass comes before the answers; a shadow's comes after they are on their way.
            if (canary) {
                LoadedModel.Scored[] c = scoreChallenger(b.challenger, features);
                if (c != null) {
                    System.arraycopy(c, 0, b.challenged, from, to - from);
                }
            }
        }
    }

    /**
     * Sends the answers of {@code b}, checked and scored: its dead letters, a prediction per scored row, and
     * with a challenger its shadow scores. The sends are not awaited: see {@link #sendError()}. Called on one thread,
     * one batch at a time.
     */
    void emit(RequestBatch b) {
        served = 0;
        rejected = 0;
        sendError.set(null);
        for (int i = 0; i < b.refused.size(); i++) {
            deadLetter(b.refused.get(i), b.refusedReasons.get(i));
        }
        if (b.rows.isEmpty()) {
            return;
        }
        LoadedModel m = b.model;
        LoadedModel challenger = b.challenger;
        LoadedModel.Scored[] challenged = b.challenged;
        long now = nanos(clock.instant());
        long canaryAnswers = 0;
        for (int i = 0; i < b.rows.size(); i++) {
            if (b.rowFailures[i] != null) {
                deadLetter(b.rows.get(i), b.rowFailures[i]);
                continue;
            }
            boolean hasCanary = challenged != null && challenged[i] != null;
            boolean byCanary = hasCanary && model.challengerRule().canaryAnswers(b.rowExamples.get(i).id());
            if (answer(b, i, byCanary ? challenger : m, byCanary ? challenged[i] : b.scored[i], now)) {
                canaryAnswers += byCanary ? 1 : 0;
            }
            if (hasCanary) {
                shadow(b, i, byCanary ? m : challenger, byCanary ? b.scored[i] : challenged[i], now);
            }
        }
        if (canaryAnswers > 0) {
            metrics.challengerOutcome(false, canaryAnswers, false);
        }
        // Without the shadow topic a shadow challenger's scores would go nowhere: its pass is skipped.
        if (challenger != null && challenged == null && model.shadowWritable()) {
            for (int from = 0; from < b.rows.size(); from += maxBatch) {
                int to = Math.min(b.rows.size(), from + maxBatch);
                LoadedModel.Scored[] shadowed = scoreChallenger(challenger, b.rowFeatures.subList(from, to));
                if (shadowed == null) {
                    continue;
                }
                now = nanos(clock.instant());
                for (int i = from; i < to; i++) {
                    if (b.rowFailures[i] == null) {
                        shadow(b, i, challenger, shadowed[i - from], now);
                    }
                }
            }
        }
    }

    /** The first failed send of the last {@link #emit} (complete once the producer was flushed), or null. */
    Exception sendError() {
        return sendError.get();
    }

    /** Predictions sent by the last {@link #emit}. */
    long served() {
        return served;
    }

    /** Dead letters sent by the last {@link #emit}. */
    long rejected() {
        return rejected;
    }

    /** Sends the answer of row {@code i} by {@code by}; false when it could not be built (it is then dead-lettered). */
    private boolean answer(RequestBatch b, int i, LoadedModel by, LoadedModel.Scored score, long nowNanos) {
        ConsumerRecord<byte[], byte[]> r = b.rows.get(i);
        double latencySeconds = Math.max(0L, nowNanos - b.rowArrivals[i]) / 1e9;
        ProducerRecord<byte[], byte[]> answer;
        try {
            answer = prediction(predictionsTopic, r, b.rowExamples.get(i), by, score, latencySeconds);
        } catch (RuntimeException e) {
            // One request's answer that cannot be built must not fail (and endlessly repeat) its batch.
            deadLetter(r, b.rowExamples.get(i).id() + ": cannot write the prediction of model " + by.name() + " v"
                    + by.version() + ": " + e);
            return false;
        }
        metrics.latency(latencySeconds);
        send(answer);
        served++;
        return true;
    }

    /** Sends the score of row {@code i} by the model that did not answer it to the shadow topic; never fails it. */
    private void shadow(RequestBatch b, int i, LoadedModel by, LoadedModel.Scored score, long nowNanos) {
        if (!model.shadowWritable()) {
            return; // counted and logged once when the challenger started
        }
        try {
            double latencySeconds = Math.max(0L, nowNanos - b.rowArrivals[i]) / 1e9;
            long version = by.version();
            shadowProducer.send(prediction(shadowTopic, b.rows.get(i), b.rowExamples.get(i), by, score,
                    latencySeconds),
                    (md, e) -> {
                        if (e == null) {
                            metrics.challengerOutcome(true, 0, false);
                        } else {
                            model.challengerFailed(version, "writing a prediction to " + shadowTopic, e);
                        }
                    });
        } catch (RuntimeException e) {
            model.challengerFailed(by.version(), "writing a prediction to " + shadowTopic, e);
        }
    }

    /** The challenger's scores of {@code features}, or null when its forward pass failed (counted, logged once). */
    private LoadedModel.Scored[] scoreChallenger(LoadedModel challenger, List<Features> features) {
        try {
            return challenger.predict(features);
        } catch (RuntimeException e) {
            model.challengerFailed(challenger.version(), "the forward pass of " + features.size() + " requests", e);
            return null;
        }
    }

    /** The prediction record of {@code ex} by {@code by}, keyed like its request {@code r}. */
    private static ProducerRecord<byte[], byte[]> prediction(String topic, ConsumerRecord<byte[], byte[]> r, Example ex,
            LoadedModel by, LoadedModel.Scored score, double latencySeconds) {
        Prediction p = new Prediction(ex.id(), score.label(), score.scores(), by.name(), by.version(),
                (float) (latencySeconds * 1e3), score.value());
        RecordHeaders headers = new RecordHeaders();
        headers.add(ContentTypes.HEADER, JSON);
        headers.add(RequestLoop.CORRELATION_ID_HEADER, ex.id().getBytes(StandardCharsets.UTF_8));
        headers.add(RequestLoop.MODEL_VERSION_HEADER, Long.toString(by.version()).getBytes(StandardCharsets.UTF_8));
        return new ProducerRecord<>(topic, null, r.key(), PredictionJsonCodec.encode(p), headers);
    }

    /** The request in {@code r}, or null after refusing it in {@code b} (it goes to the dead-letter topic). */
    private static Example decode(RequestBatch b, ConsumerRecord<byte[], byte[]> r) {
        if (r.value() == null || r.value().length == 0) {
            b.refuse(r, "empty request: the record has no value");
            return null;
        }
        try {
            return ExampleCodec.decode(r.value(), r.headers());
        } catch (CodecException | IllegalArgumentException e) {
            b.refuse(r, "undecodable request: " + e.getMessage());
            return null;
        } catch (RuntimeException e) {
            // A decoder bug on one odd record is that record's problem: it goes to the dead letters with the error.
            b.refuse(r, "undecodable request: " + e);
            return null;
        }
    }

    /**
     * Sends {@code r} to the dead-letter topic with {@code reason} and its position, through core's one builder:
     * capped, so a rejected request near the size limit does not make a dead letter Kafka refuses (which would
     * rewind and repeat the batch forever).
     */
    private void deadLetter(ConsumerRecord<byte[], byte[]> r, String reason) {
        String trimmed = reason.length() > MAX_REASON_CHARS ? reason.substring(0, MAX_REASON_CHARS) + "..." : reason;
        Header contentType = r.headers().lastHeader(ContentTypes.HEADER);
        send(DeadLetters.capped(dlqTopic, r.key(), r.value(), trimmed, r.topic() + "/" + r.partition() + "/"
                + r.offset(), contentType == null || contentType.value() == null ? null
                : new String(contentType.value(), StandardCharsets.UTF_8), deadLetterMaxBytes));
        rejected++;
    }

    private void send(ProducerRecord<byte[], byte[]> record) {
        if (sendError.get() != null) {
            return; // the whole batch is answered again after the rewind
        }
        try {
            producer.send(record, onAck);
        } catch (KafkaException e) {
            // send() itself fails when metadata or buffer space does not come within max.block.ms: the batch is
            // answered again after the rewind, like an unacknowledged one.
            sendError.compareAndSet(null, e);
        }
    }

    static long nanos(Instant t) {
        return t.getEpochSecond() * 1_000_000_000L + t.getNano();
    }
}
