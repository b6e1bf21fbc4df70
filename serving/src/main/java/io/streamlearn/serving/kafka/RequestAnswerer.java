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
import io.streamlearn.serving.model.LoadedModel;
import io.streamlearn.serving.model.ServingModel;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
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
 * retained model, and sends a prediction or a dead letter for each record. Delivery (flush, commit or transaction,
 * rewind) is the {@link RequestLoop}'s: this class only remembers the first send that failed.
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
    private final int deadLetterMaxBytes;

    // Reused for every batch: the hot path allocates per record only what leaves the process.
    private final List<ConsumerRecord<byte[], byte[]>> rows = new ArrayList<>();
    private final List<Example> rowExamples = new ArrayList<>();
    private final List<Features> rowFeatures = new ArrayList<>();
    private final long[] rowArrivals;
    private final AtomicReference<Exception> sendError = new AtomicReference<>();
    private final Callback onAck = (md, e) -> {
        if (e != null) {
            sendError.compareAndSet(null, e);
        }
    };
    private long served;
    private long rejected;

    RequestAnswerer(ServingConfig config, ServingModel model, KafkaProducer<byte[], byte[]> producer,
            ServingMetrics metrics) {
        this.model = model;
        this.producer = producer;
        this.metrics = metrics;
        this.clock = config.clock();
        this.maxBatch = config.maxBatch();
        this.predictionsTopic = config.topics().predictions();
        this.dlqTopic = config.topics().predictionsDlq();
        this.deadLetterMaxBytes = deadLetterMaxBytes(config.kafkaOverrides());
        this.rowArrivals = new long[maxBatch];
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
     * Sends an answer for every record of {@code pending} (arrived at {@code arrivalNanos}, same index), in forward
     * passes of at most {@code maxBatch} rows. The sends are not awaited: see {@link #sendError()}.
     */
    void answer(List<ConsumerRecord<byte[], byte[]>> pending, long[] arrivalNanos) {
        served = 0;
        rejected = 0;
        sendError.set(null);
        for (int from = 0; from < pending.size(); from += maxBatch) {
            answer(pending, arrivalNanos, from, Math.min(pending.size(), from + maxBatch));
        }
    }

    /** The first failed send of the last {@link #answer} (complete once the producer was flushed), or null. */
    Exception sendError() {
        return sendError.get();
    }

    /** Predictions sent by the last {@link #answer}. */
    long served() {
        return served;
    }

    /** Dead letters sent by the last {@link #answer}. */
    long rejected() {
        return rejected;
    }

    private void answer(List<ConsumerRecord<byte[], byte[]>> pending, long[] arrivalNanos, int from, int to) {
        LoadedModel m = model.acquire();
        try {
            rows.clear();
            rowExamples.clear();
            rowFeatures.clear();
            for (int i = from; i < to; i++) {
                ConsumerRecord<byte[], byte[]> r = pending.get(i);
                Example ex = decode(r);
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
                    deadLetter(r, ex.id() + ": " + reason);
                    continue;
                }
                rowArrivals[rows.size()] = arrivalNanos[i];
                rows.add(r);
                rowExamples.add(ex);
                rowFeatures.add(ex.features());
            }
            if (rows.isEmpty()) {
                return;
            }
            metrics.batch(rows.size());
            LoadedModel.Scored[] scored;
            try {
                scored = m.predict(rowFeatures);
            } catch (RuntimeException e) {
                LOG.error("forward pass of {} requests on {} failed: {}; they go to {}", rows.size(), m,
                        e.toString(), dlqTopic, e);
                for (int i = 0; i < rows.size(); i++) {
                    deadLetter(rows.get(i), "inference failed on model " + m.name() + " v" + m.version()
                            + ": " + e);
                }
                return;
            }
            long now = nanos(clock.instant());
            byte[] version = Long.toString(m.version()).getBytes(StandardCharsets.UTF_8);
            for (int i = 0; i < rows.size(); i++) {
                ConsumerRecord<byte[], byte[]> r = rows.get(i);
                Example ex = rowExamples.get(i);
                double latencySeconds = Math.max(0L, now - rowArrivals[i]) / 1e9;
                ProducerRecord<byte[], byte[]> answer;
                try {
                    Prediction p = new Prediction(ex.id(), scored[i].label(), scored[i].scores(), m.name(),
                            m.version(), (float) (latencySeconds * 1e3), scored[i].value());
                    RecordHeaders headers = new RecordHeaders();
                    headers.add(ContentTypes.HEADER, JSON);
                    headers.add(RequestLoop.CORRELATION_ID_HEADER, ex.id().getBytes(StandardCharsets.UTF_8));
                    headers.add(RequestLoop.MODEL_VERSION_HEADER, version);
                    answer = new ProducerRecord<>(predictionsTopic, null, r.key(), PredictionJsonCodec.encode(p),
                            headers);
                } catch (RuntimeException e) {
                    // One request's answer that cannot be built must not fail (and endlessly repeat) its batch.
                    deadLetter(r, ex.id() + ": cannot write the prediction of model " + m.name() + " v" + m.version()
                            + ": " + e);
                    continue;
                }
                metrics.latency(latencySeconds);
                send(answer);
                served++;
            }
        } finally {
            m.release();
        }
    }

    /** The request in {@code r}, or null after routing it to the dead-letter topic. */
    private Example decode(ConsumerRecord<byte[], byte[]> r) {
        if (r.value() == null || r.value().length == 0) {
            deadLetter(r, "empty request: the record has no value");
            return null;
        }
        try {
            return ExampleCodec.decode(r.value(), r.headers());
        } catch (CodecException | IllegalArgumentException e) {
            deadLetter(r, "undecodable request: " + e.getMessage());
            return null;
        } catch (RuntimeException e) {
            // A decoder bug on one odd record is that record's problem: it goes to the dead letters with the error.
            deadLetter(r, "undecodable request: " + e);
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
