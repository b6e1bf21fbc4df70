package io.streamlearn.serving.kafka;

import io.streamlearn.core.kafka.KafkaClients;
import io.streamlearn.serving.ConsumerLoop;
import io.streamlearn.serving.KafkaClientMetrics;
import io.streamlearn.serving.ServingConfig;
import io.streamlearn.serving.ServingMetrics;
import io.streamlearn.serving.model.ServingModel;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetCommitCallback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The request loop: waits for the first model, then consumes the requests topic in a consumer group,
 * micro-batches up to {@code maxBatch} requests or {@code maxWaitMicros}, has {@link RequestAnswerer} answer
 * them, and commits offsets only after Kafka acknowledged the answers (at-least-once), or in the same
 * transaction as them (exactly-once).
 */
public final class RequestLoop extends ConsumerLoop {
    /** Dead-letter header: why the request was not answered. */
    public static final String ERROR_REASON_HEADER = io.streamlearn.core.example.DeadLetterHeaders.REASON;
    /** Dead-letter header: where the request came from, {@code topic/partition/offset}. */
    public static final String ERROR_SOURCE_HEADER = io.streamlearn.core.example.DeadLetterHeaders.SOURCE;
    /** Prediction header: the request id. */
    public static final String CORRELATION_ID_HEADER = "correlation-id";
    /** Prediction header: the snapshot version that answered. */
    public static final String MODEL_VERSION_HEADER = "model-version";

    private static final Logger LOG = LoggerFactory.getLogger(RequestLoop.class);
    private static final Duration IDLE_POLL = Duration.ofMillis(100);

    private final ServingConfig config;
    private final ServingModel model;
    private final KafkaProducer<byte[], byte[]> producer;
    private final ServingMetrics metrics;
    private final RequestAnswerer answerer;
    private final Clock clock;
    private volatile boolean consuming;

    // Two batches alternate: one is scored on this loop's thread while the sender delivers the other.
    private RequestBatch next = new RequestBatch();
    private RequestBatch spare = new RequestBatch();
    // Partitions revoked during the current collect (set by the rebalance listener, on this loop's thread).
    private final Set<TopicPartition> revoked = new HashSet<>();
    private boolean lastPollShort;
    private final AtomicLong served = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final OffsetCommitCallback onCommit = (committed, e) -> {
        if (e != null) {
            LOG.warn("offset commit of {} failed ({}); the requests after the last committed offset will be answered "
                    + "again", committed.keySet(), e.toString());
        }
    };

    /**
     * The loop of {@code config}'s requests topic, answering with {@code model} and writing through {@code producer}
     * (transactional when {@link ServingConfig#exactlyOnce()}; owned by the caller), and the shadow predictions of a
     * challenger through {@code shadowProducer} (never transactional: a shadow prediction is at-least-once and must
     * not abort the answers' transaction; owned by the caller). Run it on its own thread.
     */
    public RequestLoop(ServingConfig config, ServingModel model, KafkaProducer<byte[], byte[]> producer,
            KafkaProducer<byte[], byte[]> shadowProducer, ServingMetrics metrics) {
        this.config = config;
        this.model = model;
        this.producer = producer;
        this.metrics = metrics;
        this.answerer = new RequestAnswerer(config, model, producer, shadowProducer, metrics);
        this.clock = config.clock();
    }

    /** Requests answered, counted once Kafka acknowledged their predictions. */
    public long served() {
        return served.get();
    }

    /** Requests dead-lettered, counted once Kafka acknowledged them. */
    public long rejected() {
        return rejected.get();
    }

    /** Whether the loop has subscribed to the requests topic and not stopped. */
    public boolean isConsuming() {
        return consuming;
    }

    @Override
    protected KafkaConsumer<byte[], byte[]> openConsumer() {
        Map<String, String> overrides = new HashMap<>();
        overrides.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Integer.toString(config.maxBatch()));
        overrides.put(ConsumerConfig.CLIENT_ID_CONFIG, "streamlearn-serving-requests-" + config.model());
        overrides.putAll(config.profile().consumer(config.kafkaOverrides()));
        if (config.staticMembership()) {
            overrides.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, config.instanceId());
        }
        return KafkaClients.consumer(config.bootstrapServers(), config.groupId(), overrides);
    }

    @Override
    protected void consume(KafkaConsumer<byte[], byte[]> c) {
        try {
            // Subscribing before a model exists would only hold partitions it cannot answer.
            while (!model.awaitFirst(IDLE_POLL)) {
                if (!running()) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        try (AnswerSender sender = new AnswerSender("streamlearn-serving-answers-" + config.model(), this::deliver)) {
            c.subscribe(List.of(config.topics().requests()), new DrainOnRebalance(c, sender));
            consuming = true;
            // Closed before ConsumerLoop closes the consumer, so a scrape never reads a closed client.
            try (KafkaClientMetrics lag = metrics.consumerLag(c::metrics)) {
                LOG.info("consuming {} as group {}", config.topics().requests(), config.groupId());
                try {
                    while (running()) {
                        settle(c, sender.takeDelivered(), false);
                        if (collect(c, next)) {
                            pass(c, sender);
                        }
                    }
                } finally {
                    // Stopping: the batch out is delivered and its offsets committed before the consumer leaves.
                    settle(c, sender.awaitDelivered(), true);
                }
            }
        } finally {
            consuming = false;
        }
    }

    /**
     * Scores the polled batch here while the sender delivers the previous one, then takes that one back (committing
     * its offsets, or rewinding when it failed, which drops this batch: it is polled again) and hands this one over.
     * Two polls in a row short of {@code maxBatch} mean the loop has caught up with the requests (one short poll
     * alone may be the end of a fetch in a backlog): nothing is gained by overlapping, so the batch is delivered here
     * at once, without waking the sender, whose hand-off would add a scheduling delay to every answer at a steady
     * rate.
     */
    private void pass(KafkaConsumer<byte[], byte[]> c, AnswerSender sender) {
        RequestBatch b = next;
        boolean handed = false;
        try {
            // The forward pass stays on this thread: on the sender it would add to the wait for the answers' acks,
            // which is that thread's critical path (bench/serving.sh's CPU breakdown, issue 14).
            answerer.check(b);
            answerer.score(b);
            if (settle(c, sender.awaitDelivered(), false)) {
                return;
            }
            if (config.exactlyOnce()) {
                // The generation the offsets belong to: a rebalance first drains this batch (DrainOnRebalance).
                b.groupMetadata = c.groupMetadata();
            }
            boolean shortPoll = b.pending.size() < config.maxBatch();
            boolean caughtUp = shortPoll && lastPollShort;
            lastPollShort = shortPoll;
            if (caughtUp) {
                handed = true; // deliver() returns the models
                deliver(b);
                settle(c, b, false);
                return;
            }
            sender.hand(b);
            handed = true;
            next = spare;
            spare = b;
        } finally {
            if (!handed) {
                b.release();
            }
        }
    }

    /** Polls until a micro-batch is full or its wait is over; false when nothing arrived. */
    private boolean collect(KafkaConsumer<byte[], byte[]> c, RequestBatch b) {
        b.clear();
        if (!poll(c, b, IDLE_POLL)) {
            return false;
        }
        long deadline = System.nanoTime() + config.maxWaitMicros() * 1_000L;
        long remaining;
        while (b.pending.size() < config.maxBatch() && (remaining = deadline - System.nanoTime()) > 0
                && running()) {
            poll(c, b, Duration.ofNanos(remaining));
        }
        return !b.pending.isEmpty();
    }

    /** One poll into {@code b}; false when it returned nothing. */
    private boolean poll(KafkaConsumer<byte[], byte[]> c, RequestBatch b, Duration timeout) {
        revoked.clear();
        ConsumerRecords<byte[], byte[]> records = c.poll(timeout);
        if (!revoked.isEmpty()) {
            // A rebalance inside this poll: what the batch holds of the revoked partitions is not ours to answer or
            // commit any more (the records this poll returned come after it, from the new assignment).
            b.dropPartitions(revoked);
        }
        return b.append(records, RequestAnswerer.nanos(clock.instant()));
    }

    /**
     * After the sender delivered {@code done} (null: nothing was out): commits its offsets in at-least-once mode
     * ({@code sync} when the partitions are about to move), or rewinds to the committed offsets when it failed. True
     * when it rewound, so whatever was polled since must be dropped.
     */
    private boolean settle(KafkaConsumer<byte[], byte[]> c, RequestBatch done, boolean sync) {
        if (done == null) {
            return false;
        }
        if (done.failed) {
            rewind(c);
            return true;
        }
        if (!config.exactlyOnce() && !done.offsets.isEmpty()) {
            // Every record of the batch is acknowledged, so committing without waiting is still at-least-once: a
            // commit that fails (the partitions moved to another member) means duplicates, never losses. Not
            // waiting takes a coordinator round trip off every batch; close() waits for the commits in flight.
            Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>(done.offsets);
            if (sync) {
                commitSync(c, offsets);
            } else {
                c.commitAsync(offsets, onCommit);
            }
        }
        return false;
    }

    /** Commits {@code offsets} and waits; a failure is logged (it means duplicates, never losses). */
    private void commitSync(KafkaConsumer<byte[], byte[]> c, Map<TopicPartition, OffsetAndMetadata> offsets) {
        for (int attempt = 1; ; attempt++) {
            try {
                c.commitSync(offsets);
                return;
            } catch (WakeupException e) {
                // stop() wakes the consumer once; when the loop was not polling, this commit on the way out gets
                // the wakeup, which the throw consumed: commit again rather than answer the last batch twice.
                if (attempt > 1) {
                    onCommit.onComplete(offsets, e);
                    return;
                }
            } catch (KafkaException e) {
                onCommit.onComplete(offsets, e);
                return;
            }
        }
    }

    /** On the sender's thread: delivers {@code b}'s answers, then returns its models; marks it failed to rewind. */
    private void deliver(RequestBatch b) {
        try {
            b.nextOffsets();
            if (config.exactlyOnce()) {
                deliverTransactionally(b);
                return;
            }
            answerer.emit(b);
            // At-least-once: offsets move only once every prediction and dead letter is acknowledged.
            producer.flush();
            Exception failed = answerer.sendError();
            if (failed != null) {
                LOG.error("could not write {} records to {} / {}: {}; rewinding to the committed offsets to answer "
                        + "them again", b.pending.size(), config.topics().predictions(),
                        config.topics().predictionsDlq(), failed.toString());
                b.failed = true;
                return;
            }
            countBatch();
        } finally {
            b.release();
        }
    }

    /**
     * Exactly-once: the predictions, the dead letters and the consumed offsets of the micro-batch are one Kafka
     * transaction (consume-transform-produce, KIP-447). An aborted transaction's records are never seen by
     * read_committed readers, and its requests are answered again after the rewind.
     */
    private void deliverTransactionally(RequestBatch b) {
        try {
            producer.beginTransaction();
            answerer.emit(b);
            Exception failed = answerer.sendError();
            if (failed != null) {
                throw failed instanceof KafkaException k ? k : new KafkaException(failed);
            }
            // The group metadata lets the coordinator fence a zombie whose partitions were reassigned.
            producer.sendOffsetsToTransaction(b.offsets, b.groupMetadata);
            producer.commitTransaction();
        } catch (ProducerFencedException | OutOfOrderSequenceException
                | AuthorizationException | UnsupportedVersionException e) {
            // Not recoverable with this producer: another instance uses our transactional id, or the broker
            // refuses transactions. The open transaction is aborted by the broker; the service stops.
            throw new IllegalStateException("exactly-once producer " + config.transactionalId() + " cannot go on: "
                    + e + "; give every serving instance its own instance id (--instance-id) and check the broker's "
                    + "transaction ACLs, then restart", e);
        } catch (KafkaException e) {
            LOG.warn("transaction of {} requests failed: {}; aborting it and answering them again", b.pending.size(),
                    e.toString());
            try {
                producer.abortTransaction();
            } catch (KafkaException abortFailed) {
                throw new IllegalStateException("exactly-once producer " + config.transactionalId()
                        + " cannot abort its transaction: " + abortFailed + "; restart the service", abortFailed);
            }
            b.failed = true;
            return;
        }
        countBatch();
    }

    private void countBatch() {
        served.addAndGet(answerer.served());
        rejected.addAndGet(answerer.rejected());
        metrics.served(answerer.served());
        metrics.rejected(answerer.rejected());
    }

    /**
     * Before partitions move to another member, the batch out is delivered and its offsets committed (or rewound
     * when it failed), so the new owner starts after what this member answered; the batch polled is not out yet.
     */
    private final class DrainOnRebalance implements ConsumerRebalanceListener {
        private final KafkaConsumer<byte[], byte[]> c;
        private final AnswerSender sender;

        DrainOnRebalance(KafkaConsumer<byte[], byte[]> c, AnswerSender sender) {
            this.c = c;
            this.sender = sender;
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            revoked.addAll(partitions);
            settle(c, sender.awaitDelivered(), true);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            // Nothing out: the batch delivered before the revocation was settled then.
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            // Another member owns them already: no commit can succeed, but the batch out must end before the next.
            revoked.addAll(partitions);
            RequestBatch done = sender.awaitDelivered();
            if (done != null && done.failed) {
                rewind(c);
            }
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
}
