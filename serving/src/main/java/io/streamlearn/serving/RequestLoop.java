package io.streamlearn.serving;

import io.streamlearn.core.example.CodecException;
import io.streamlearn.core.example.ContentTypes;
import io.streamlearn.core.example.Example;
import io.streamlearn.core.example.ExampleCodec;
import io.streamlearn.core.example.Features;
import io.streamlearn.core.kafka.KafkaClients;
import io.streamlearn.core.prediction.Prediction;
import io.streamlearn.core.prediction.PredictionJsonCodec;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetCommitCallback;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The request loop: waits for the first model, then consumes the requests topic in a consumer group,
 * micro-batches up to {@code maxBatch} requests or {@code maxWaitMicros}, runs one forward pass per
 * batch, writes predictions or dead letters, and commits offsets only after Kafka acknowledged them
 * (at-least-once), or in the same transaction as them (exactly-once).
 */
final class RequestLoop implements Runnable {
    /** Dead-letter header: why the request was not answered. */
    static final String ERROR_REASON_HEADER = io.streamlearn.core.example.DeadLetterHeaders.REASON;
    /** Dead-letter header: where the request came from, {@code topic/partition/offset}. */
    static final String ERROR_SOURCE_HEADER = io.streamlearn.core.example.DeadLetterHeaders.SOURCE;
    /** Prediction header: the request id. */
    static final String CORRELATION_ID_HEADER = "correlation-id";
    /** Prediction header: the snapshot version that answered. */
    static final String MODEL_VERSION_HEADER = "model-version";

    private static final Logger LOG = LoggerFactory.getLogger(RequestLoop.class);
    private static final Duration IDLE_POLL = Duration.ofMillis(100);
    private static final int MAX_REASON_CHARS = 1000;
    private static final byte[] JSON = ContentTypes.JSON.getBytes(StandardCharsets.UTF_8);

    private final PredictionService service;
    private final ServingConfig config;
    private final KafkaProducer<byte[], byte[]> producer;
    private final ServingMetrics metrics;
    private final Clock clock;
    private final String predictionsTopic;
    private final String dlqTopic;
    private volatile KafkaConsumer<byte[], byte[]> consumer;
    private volatile boolean consuming;

    // Reused for every batch: the hot path allocates per record only what leaves the process.
    private final List<ConsumerRecord<byte[], byte[]>> pending = new ArrayList<>();
    private long[] arrivalNanos = new long[64];
    private final List<ConsumerRecord<byte[], byte[]>> rows = new ArrayList<>();
    private final List<Example> rowExamples = new ArrayList<>();
    private final List<Features> rowFeatures = new ArrayList<>();
    private final long[] rowArrivals;
    private final AtomicLong served = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    private final AtomicReference<Exception> sendError = new AtomicReference<>();
    private final Callback onAck = (md, e) -> {
        if (e != null) {
            sendError.compareAndSet(null, e);
        }
    };
    private final OffsetCommitCallback onCommit = (committed, e) -> {
        if (e != null) {
            LOG.warn("offset commit of {} failed ({}); the requests after the last committed offset will be answered "
                    + "again", committed.keySet(), e.toString());
        }
    };
    private long batchServed;
    private long batchRejected;

    RequestLoop(PredictionService service, ServingConfig config, KafkaProducer<byte[], byte[]> producer,
            ServingMetrics metrics) {
        this.service = service;
        this.config = config;
        this.producer = producer;
        this.metrics = metrics;
        this.clock = config.clock();
        this.predictionsTopic = config.topics().predictions();
        this.dlqTopic = config.topics().predictionsDlq();
        this.rowArrivals = new long[config.maxBatch()];
    }

    /** Requests answered, counted once Kafka acknowledged their predictions. */
    long served() {
        return served.get();
    }

    /** Requests dead-lettered, counted once Kafka acknowledged them. */
    long rejected() {
        return rejected.get();
    }

    boolean isConsuming() {
        return consuming;
    }

    void wakeup() {
        KafkaConsumer<byte[], byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
    }

    @Override
    public void run() {
        try {
            // Consuming before a model exists would only hold partitions it cannot answer.
            while (!service.awaitFirstModel(IDLE_POLL)) {
                if (!service.running()) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        Map<String, String> overrides = new HashMap<>();
        overrides.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Integer.toString(config.maxBatch()));
        overrides.put(ConsumerConfig.CLIENT_ID_CONFIG, "streamlearn-serving-requests-" + config.model());
        overrides.putAll(config.kafkaOverrides());
        try (KafkaConsumer<byte[], byte[]> c = KafkaClients.consumer(config.bootstrapServers(), config.groupId(),
                overrides)) {
            consumer = c;
            if (!service.running()) {
                return;
            }
            c.subscribe(List.of(config.topics().requests()));
            consuming = true;
            LOG.info("consuming {} as group {}", config.topics().requests(), config.groupId());
            while (service.running()) {
                if (collect(c)) {
                    processPending(c);
                }
            }
        } catch (WakeupException e) {
            if (service.running()) {
                throw e;
            }
        } finally {
            consuming = false;
            consumer = null;
        }
    }

    /** Polls until a micro-batch is full or its wait is over; false when nothing arrived. */
    private boolean collect(KafkaConsumer<byte[], byte[]> c) {
        pending.clear();
        if (!append(c.poll(IDLE_POLL))) {
            return false;
        }
        long deadline = System.nanoTime() + config.maxWaitMicros() * 1_000L;
        long remaining;
        while (pending.size() < config.maxBatch() && (remaining = deadline - System.nanoTime()) > 0
                && service.running()) {
            append(c.poll(Duration.ofNanos(remaining)));
        }
        return true;
    }

    private boolean append(ConsumerRecords<byte[], byte[]> records) {
        if (records.isEmpty()) {
            return false;
        }
        long arrival = nanos(clock.instant());
        int need = pending.size() + records.count();
        if (arrivalNanos.length < need) {
            arrivalNanos = Arrays.copyOf(arrivalNanos, Math.max(need, arrivalNanos.length * 2));
        }
        for (ConsumerRecord<byte[], byte[]> r : records) {
            arrivalNanos[pending.size()] = arrival;
            pending.add(r);
        }
        return true;
    }

    private void processPending(KafkaConsumer<byte[], byte[]> c) {
        batchServed = 0;
        batchRejected = 0;
        sendError.set(null);
        if (config.exactlyOnce()) {
            processTransactionally(c);
            return;
        }
        answerPending();
        // At-least-once: offsets move only once every prediction and dead letter is acknowledged.
        producer.flush();
        Exception failed = sendError.get();
        if (failed != null) {
            LOG.error("could not write {} records to {} / {}: {}; rewinding to the committed offsets to answer them "
                    + "again", pending.size(), predictionsTopic, dlqTopic, failed.toString());
            rewind(c);
            return;
        }
        // Every record of the batch is acknowledged, so committing without waiting is still at-least-once: a
        // commit that fails (the partitions moved to another member) means duplicates, never losses. Not waiting
        // takes a coordinator round trip off every batch; close() waits for the commits in flight.
        c.commitAsync(new HashMap<>(pendingOffsets()), onCommit);
        countBatch();
    }

    /**
     * Exactly-once: the predictions, the dead letters and the consumed offsets of the micro-batch are one Kafka
     * transaction (consume-transform-produce, KIP-447). An aborted transaction's records are never seen by
     * read_committed readers, and its requests are answered again after the rewind.
     */
    private void processTransactionally(KafkaConsumer<byte[], byte[]> c) {
        try {
            producer.beginTransaction();
            answerPending();
            Exception failed = sendError.get();
            if (failed != null) {
                throw failed instanceof KafkaException k ? k : new KafkaException(failed);
            }
            // The group metadata lets the coordinator fence a zombie whose partitions were reassigned.
            producer.sendOffsetsToTransaction(pendingOffsets(), c.groupMetadata());
            producer.commitTransaction();
        } catch (ProducerFencedException | OutOfOrderSequenceException
                | AuthorizationException | UnsupportedVersionException e) {
            // Not recoverable with this producer: another instance uses our transactional id, or the broker
            // refuses transactions. The open transaction is aborted by the broker; the service stops.
            throw new IllegalStateException("exactly-once producer " + config.transactionalId() + " cannot go on: "
                    + e + "; give every serving instance its own instance id (--instance-id) and check the broker's "
                    + "transaction ACLs, then restart", e);
        } catch (KafkaException e) {
            LOG.warn("transaction of {} requests failed: {}; aborting it and answering them again", pending.size(),
                    e.toString());
            try {
                producer.abortTransaction();
            } catch (KafkaException abortFailed) {
                throw new IllegalStateException("exactly-once producer " + config.transactionalId()
                        + " cannot abort its transaction: " + abortFailed + "; restart the service", abortFailed);
            }
            rewind(c);
            return;
        }
        countBatch();
    }

    private void answerPending() {
        int max = config.maxBatch();
        for (int from = 0; from < pending.size(); from += max) {
            processBatch(from, Math.min(pending.size(), from + max));
        }
    }

    /** The next offset of every partition in the pending records. */
    private Map<TopicPartition, OffsetAndMetadata> pendingOffsets() {
        offsets.clear();
        TopicPartition tp = null;
        for (ConsumerRecord<byte[], byte[]> r : pending) {
            // Records come grouped by partition: one key per run, not per record.
            if (tp == null || tp.partition() != r.partition() || !tp.topic().equals(r.topic())) {
                tp = new TopicPartition(r.topic(), r.partition());
            }
            OffsetAndMetadata seen = offsets.get(tp);
            if (seen == null || seen.offset() <= r.offset()) {
                offsets.put(tp, new OffsetAndMetadata(r.offset() + 1));
            }
        }
        return offsets;
    }

    private void countBatch() {
        served.addAndGet(batchServed);
        rejected.addAndGet(batchRejected);
        metrics.served.inc(batchServed);
        metrics.rejected.inc(batchRejected);
    }

    private void processBatch(int from, int to) {
        LoadedModel model = service.acquire();
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
                String reason = model.rejectReason(ex.features());
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
            metrics.batchSize.observe(rows.size());
            LoadedModel.Scored[] scored;
            try {
                scored = model.predict(rowFeatures);
            } catch (RuntimeException e) {
                LOG.error("forward pass of {} requests on {} failed: {}; they go to {}", rows.size(), model,
                        e.toString(), dlqTopic, e);
                for (int i = 0; i < rows.size(); i++) {
                    deadLetter(rows.get(i), "inference failed on model " + model.name() + " v" + model.version()
                            + ": " + e);
                }
                return;
            }
            long now = nanos(clock.instant());
            byte[] version = Long.toString(model.version()).getBytes(StandardCharsets.UTF_8);
            for (int i = 0; i < rows.size(); i++) {
                ConsumerRecord<byte[], byte[]> r = rows.get(i);
                Example ex = rowExamples.get(i);
                double latencySeconds = Math.max(0L, now - rowArrivals[i]) / 1e9;
                metrics.latency.observe(latencySeconds);
                Prediction p = new Prediction(ex.id(), scored[i].label(), scored[i].scores(), model.name(),
                        model.version(), (float) (latencySeconds * 1e3));
                RecordHeaders headers = new RecordHeaders();
                headers.add(ContentTypes.HEADER, JSON);
                headers.add(CORRELATION_ID_HEADER, ex.id().getBytes(StandardCharsets.UTF_8));
                headers.add(MODEL_VERSION_HEADER, version);
                send(new ProducerRecord<>(predictionsTopic, null, r.key(), PredictionJsonCodec.encode(p), headers));
                batchServed++;
            }
        } finally {
            model.release();
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
        }
    }

    private void deadLetter(ConsumerRecord<byte[], byte[]> r, String reason) {
        String trimmed = reason.length() > MAX_REASON_CHARS ? reason.substring(0, MAX_REASON_CHARS) + "..." : reason;
        Headers headers = new RecordHeaders(r.headers().toArray());
        headers.add(ERROR_REASON_HEADER, trimmed.getBytes(StandardCharsets.UTF_8));
        headers.add(ERROR_SOURCE_HEADER, (r.topic() + "/" + r.partition() + "/" + r.offset())
                .getBytes(StandardCharsets.UTF_8));
        send(new ProducerRecord<>(dlqTopic, null, r.key(), r.value(), headers));
        batchRejected++;
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

    /** Seeks every assigned partition back to its committed offset, so the failed batch is answered again. */
    private void rewind(KafkaConsumer<byte[], byte[]> c) {
        Set<TopicPartition> assigned = c.assignment();
        Map<TopicPartition, OffsetAndMetadata> committed = c.committed(assigned);
        for (TopicPartition tp : assigned) {
            OffsetAndMetadata o = committed.get(tp);
            if (o == null) {
                c.seekToBeginning(List.of(tp));
            } else {
                c.seek(tp, o.offset());
            }
        }
    }

    private static long nanos(Instant t) {
        return t.getEpochSecond() * 1_000_000_000L + t.getNano();
    }
}
