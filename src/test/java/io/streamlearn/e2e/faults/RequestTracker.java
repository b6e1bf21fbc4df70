package io.streamlearn.e2e.faults;

import io.streamlearn.core.example.ContentTypes;
import static org.awaitility.Awaitility.await;
import io.streamlearn.core.example.Example;
import io.streamlearn.core.example.ExampleJsonCodec;
import io.streamlearn.core.example.Features;
import io.streamlearn.core.kafka.KafkaClients;
import io.streamlearn.core.kafka.Topics;
import io.streamlearn.core.prediction.PredictionJsonCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.awaitility.core.ConditionTimeoutException;

/**
 * Sends requests {@code r<i>} at a steady rate and reads the predictions topic ({@code read_committed}, as every
 * streamlearn reader) on its own thread, keeping for each request how often it was answered and how long after it
 * was sent it was first answered: what a client of serving sees while an instance dies.
 */
public final class RequestTracker implements AutoCloseable {
    private final int capacity;
    private final long[] sentNanos;
    private final AtomicLongArray firstAnswerNanos;
    private final AtomicLongArray answers;
    private final AtomicInteger sent = new AtomicInteger();
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private final KafkaProducer<byte[], byte[]> producer;
    private final Thread sender;
    private final Thread reader;
    private volatile boolean sending = true;
    private volatile boolean reading = true;

    /** Starts sending {@code perSecond} requests of {@code features} features, at most {@code capacity} in all. */
    public RequestTracker(String bootstrap, Topics topics, int features, double perSecond, int capacity) {
        this.capacity = capacity;
        this.sentNanos = new long[capacity];
        this.firstAnswerNanos = new AtomicLongArray(capacity);
        this.answers = new AtomicLongArray(capacity);
        // linger 0: the benchmark measures serving, not the client's batching.
        this.producer = KafkaClients.producer(bootstrap, Map.of(ProducerConfig.LINGER_MS_CONFIG, "0"));
        KafkaConsumer<byte[], byte[]> consumer = KafkaClients.consumer(bootstrap, null,
                Map.of(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000"));
        List<TopicPartition> partitions = consumer.partitionsFor(topics.predictions(), Duration.ofSeconds(30)).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        this.reader = new Thread(() -> {
            try (consumer) {
                while (reading) {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(50))) {
                        long now = System.nanoTime();
                        int i = index(PredictionJsonCodec.decode(r.value()).id());
                        if (i >= 0 && i < capacity) {
                            firstAnswerNanos.compareAndSet(i, 0, now);
                            answers.incrementAndGet(i);
                        }
                    }
                }
            } catch (RuntimeException e) {
                failure.compareAndSet(null, e);
            }
        }, "request-tracker-reader");
        reader.start();
        long period = (long) (1e9 / perSecond);
        this.sender = new Thread(() -> {
            float[] row = new float[features];
            long next = System.nanoTime();
            while (sending) {
                int i = sent.get();
                if (i >= capacity) {
                    failure.compareAndSet(null, new IllegalStateException("more than " + capacity + " requests"));
                    return;
                }
                for (int f = 0; f < features; f++) {
                    row[f] = ((i * 31 + f * 17) % 11) / 5f - 1f;
                }
                String id = "r" + i;
                RecordHeaders h = new RecordHeaders();
                h.add(ContentTypes.HEADER, ContentTypes.JSON.getBytes(StandardCharsets.UTF_8));
                sentNanos[i] = System.nanoTime();
                try {
                    producer.send(new ProducerRecord<>(topics.requests(), null, id.getBytes(StandardCharsets.UTF_8),
                            ExampleJsonCodec.encode(Example.request(id, Features.ofFloats(row.clone()))), h),
                            (md, e) -> {
                                if (e != null) {
                                    failure.compareAndSet(null, e);
                                }
                            });
                } catch (RuntimeException e) {
                    failure.compareAndSet(null, e);
                    return;
                }
                sent.incrementAndGet();
                next += period;
                LockSupport.parkNanos(Math.max(0, next - System.nanoTime()));
            }
        }, "request-tracker-sender");
        sender.start();
    }

    private static int index(String id) {
        try {
            return id.startsWith("r") ? Integer.parseInt(id.substring(1)) : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Requests sent so far. */
    public int sent() {
        return sent.get();
    }

    /** Stops sending and waits until Kafka acknowledged every request; returns how many were sent. */
    public int stopSending() throws InterruptedException {
        sending = false;
        sender.join();
        producer.flush();
        return sent.get();
    }

    /** Waits until every request sent has at least one answer; false when {@code atMost} passed first. */
    public boolean awaitAllAnswered(Duration atMost) {
        try {
            await().atMost(atMost).pollInterval(Duration.ofMillis(100)).until(() -> unanswered() == 0);
            return true;
        } catch (ConditionTimeoutException e) {
            return false;
        }
    }

    /** Requests sent that have no answer yet. */
    public int unanswered() {
        int n = 0;
        for (int i = 0; i < sent.get(); i++) {
            if (answers.get(i) == 0) {
                n++;
            }
        }
        return n;
    }

    /** Requests answered more than once. */
    public int answeredTwice() {
        int n = 0;
        for (int i = 0; i < sent.get(); i++) {
            if (answers.get(i) > 1) {
                n++;
            }
        }
        return n;
    }

    /** Predictions read in all. */
    public long predictions() {
        long n = 0;
        for (int i = 0; i < sent.get(); i++) {
            n += answers.get(i);
        }
        return n;
    }

    /** The longest time from sending a request to its first answer, over all answered requests, in milliseconds. */
    public double longestWaitMillis() {
        long worst = 0;
        for (int i = 0; i < sent.get(); i++) {
            long a = firstAnswerNanos.get(i);
            if (a != 0) {
                worst = Math.max(worst, a - sentNanos[i]);
            }
        }
        return worst / 1e6;
    }

    /** The first failure of the sender or the reader, or null. */
    public Exception failure() {
        return failure.get();
    }

    /** Waits a little for the reader to catch up, then stops both threads. */
    @Override
    public void close() throws InterruptedException {
        sending = false;
        sender.join();
        reading = false;
        reader.join();
        producer.close(Duration.ofSeconds(5));
    }
}
