package io.streamlearn.core.testkit;

import io.streamlearn.core.kafka.KafkaClients;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads a whole topic from its beginning, without a consumer group, and waits for what a test expects.
 *
 * <pre>{@code
 * try (TopicReader dlq = TopicReader.open(bootstrap, topics.examplesDlq())) {
 *     List<ConsumerRecord<byte[], byte[]>> rejected = dlq.readExactly(3);
 * }
 * }</pre>
 *
 * <p>Reads {@code read_committed} unless told otherwise, as every streamlearn consumer does, so a test sees
 * what the platform would see. Every wait ends after the timeout (default {@value #DEFAULT_TIMEOUT_SECONDS} s)
 * with an {@link AssertionError} naming the topic and how many records were seen. Records accumulate: each
 * method returns everything read since the reader opened. The consumer polls on the caller's thread, as a
 * {@link KafkaConsumer} requires.
 */
public final class TopicReader implements AutoCloseable {
    /** How long a wait lasts unless {@link #open(String, String, Duration, IsolationLevel)} says otherwise. */
    public static final int DEFAULT_TIMEOUT_SECONDS = 60;

    private static final Duration POLL = Duration.ofMillis(100);

    private final String topic;
    private final Duration timeout;
    private final IsolationLevel isolation;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final List<TopicPartition> partitions;
    private final List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();

    private TopicReader(String bootstrap, String topic, Duration timeout, IsolationLevel isolation) {
        this.topic = topic;
        this.timeout = timeout;
        this.isolation = isolation;
        this.consumer = KafkaClients.consumer(bootstrap, null,
                Map.of(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation.toString().toLowerCase(Locale.ROOT)));
        try {
            partitions = consumer.partitionsFor(topic, timeout).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            if (partitions.isEmpty()) {
                throw new AssertionError("topic " + topic + " has no partitions on " + bootstrap + ": is it created?");
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
        } catch (RuntimeException | AssertionError e) {
            consumer.close();
            throw e;
        }
    }

    /** A {@code read_committed} reader of {@code topic} waiting at most {@value #DEFAULT_TIMEOUT_SECONDS} s. */
    public static TopicReader open(String bootstrap, String topic) {
        return open(bootstrap, topic, Duration.ofSeconds(DEFAULT_TIMEOUT_SECONDS), IsolationLevel.READ_COMMITTED);
    }

    /** A reader of {@code topic} with its own wait limit and isolation level. */
    public static TopicReader open(String bootstrap, String topic, Duration timeout, IsolationLevel isolation) {
        return new TopicReader(bootstrap, topic, timeout, isolation);
    }

    /** Opens a reader, reads exactly {@code n} records (see {@link #readExactly}) and closes it. */
    public static List<ConsumerRecord<byte[], byte[]>> readExactly(String bootstrap, String topic, int n) {
        try (TopicReader r = open(bootstrap, topic)) {
            return r.readExactly(n);
        }
    }

    /** Polls once more and returns everything read so far. */
    public List<ConsumerRecord<byte[], byte[]>> poll() {
        pollOnce();
        return List.copyOf(records);
    }

    private void pollOnce() {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(POLL)) {
            records.add(r);
        }
    }

    /** Polls until {@code done} holds for the records read so far; returns them. */
    public List<ConsumerRecord<byte[], byte[]>> awaitUntil(Predicate<List<ConsumerRecord<byte[], byte[]>>> done) {
        return awaitUntil(done, "the awaited condition");
    }

    /** Polls until at least {@code n} records were read; returns all read. */
    public List<ConsumerRecord<byte[], byte[]>> awaitAtLeast(int n) {
        return awaitUntil(got -> got.size() >= n, "at least " + n + " records");
    }

    /** The values of the first {@code n} records (after waiting for them), decoded by {@code decode}. */
    public <T> List<T> awaitValues(int n, Function<byte[], T> decode) {
        return awaitAtLeast(n).subList(0, n).stream().map(r -> decode.apply(r.value())).toList();
    }

    /**
     * Polls until the reader has passed the end of every partition as it is now (the last stable offset for
     * {@code read_committed}); returns all read.
     */
    public List<ConsumerRecord<byte[], byte[]>> readToEnd() {
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
        return awaitUntil(got -> end.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue()),
                "the end offsets " + end);
    }

    /**
     * Waits for at least {@code n} records, then reads on to the end: everything the topic holds now, for a
     * test that expects a few records and asserts on all of them.
     */
    public List<ConsumerRecord<byte[], byte[]>> readAtLeast(int n) {
        awaitAtLeast(n);
        return readToEnd();
    }

    /**
     * Waits for {@code n} records, reads on to the end, and fails unless the topic holds exactly {@code n}:
     * a test that counts what a component wrote also sees what it wrote too much.
     */
    public List<ConsumerRecord<byte[], byte[]>> readExactly(int n) {
        List<ConsumerRecord<byte[], byte[]>> all = readAtLeast(n);
        if (all.size() != n) {
            throw new AssertionError("topic " + topic + " holds " + all.size() + " records, expected exactly " + n);
        }
        return all;
    }

    private List<ConsumerRecord<byte[], byte[]>> awaitUntil(Predicate<List<ConsumerRecord<byte[], byte[]>>> done,
            String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<ConsumerRecord<byte[], byte[]>> got = Collections.unmodifiableList(records);
        while (true) {
            pollOnce();
            if (done.test(got)) {
                return List.copyOf(records);
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("topic " + topic + ": saw " + got.size() + " records within "
                        + timeout.toMillis() + " ms, waiting for " + what + " (" + isolation.toString()
                        .toLowerCase(Locale.ROOT) + ", from the beginning of " + partitions.size() + " partitions)");
            }
        }
    }

    @Override
    public void close() {
        consumer.close();
    }
}
