package io.streamlearn.serving;

import io.streamlearn.core.example.Example;
import io.streamlearn.core.example.Features;
import io.streamlearn.core.kafka.KafkaClients;
import io.streamlearn.core.testkit.ExampleRecords;
import io.streamlearn.serving.kafka.RequestLoop;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * The request traffic of {@link ServingBench}: binary requests {@code L0, L1, ...} (keyed by id) sent at a fixed rate,
 * and a receiver that times each one from its send to the first record keyed by its id on a topic: the predictions
 * topic for serving's round trip, the requests topic itself for a plain produce-to-consume hop of the same clients.
 */
final class BenchTraffic {
    private static final int POOL = 64;

    private BenchTraffic() {}

    /** 64 random rows of {@code featureCount} bytes, seeded: every run sends the same requests. */
    static byte[][] pool(int featureCount) {
        Random random = new Random(42);
        byte[][] pool = new byte[POOL][featureCount];
        for (byte[] row : pool) {
            random.nextBytes(row);
        }
        return pool;
    }

    /** Request {@code id} of {@code topic} with the {@code n}th row of {@code pool}, as requests are sent. */
    static ProducerRecord<byte[], byte[]> request(String topic, byte[][] pool, String id, int n) {
        return ExampleRecords.binary(topic, Example.request(id, Features.ofUint8(pool[n % pool.length])));
    }

    /** Sends requests L0, L1, ... to one topic at a fixed rate, recording each send time with the receiver. */
    static final class Sender {
        private final KafkaProducer<byte[], byte[]> producer;
        private final String topic;
        private final byte[][] pool;
        private final Receiver receiver;
        private int next;

        Sender(KafkaProducer<byte[], byte[]> producer, String topic, byte[][] pool, Receiver receiver) {
            this.producer = producer;
            this.topic = topic;
            this.pool = pool;
            this.receiver = receiver;
        }

        /** The index of the next request. */
        int next() {
            return next;
        }

        void run(int perSecond, double seconds) {
            long count = Math.round(perSecond * seconds);
            long interval = 1_000_000_000L / perSecond;
            long at = System.nanoTime();
            for (long i = 0; i < count; i++) {
                long wait = at - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                int n = next++;
                ProducerRecord<byte[], byte[]> r = request(topic, pool, "L" + n, n);
                receiver.sent(n, System.nanoTime());
                producer.send(r);
                at += interval;
            }
        }
    }

    /** Reads one topic from its beginning, matching each record to its request by the key {@code L<n>}. */
    static final class Receiver implements AutoCloseable {
        private final KafkaConsumer<byte[], byte[]> consumer;
        private final AtomicLongArray sentNanos;
        private final AtomicLongArray latencyNanos;
        private final Map<Long, Long> firstSeenMs = new ConcurrentHashMap<>();
        private final AtomicBoolean stop = new AtomicBoolean();
        private final Thread thread;

        Receiver(String bootstrap, String topic, int capacity, Map<String, String> consumerProperties) {
            this.sentNanos = new AtomicLongArray(capacity);
            this.latencyNanos = new AtomicLongArray(capacity);
            this.consumer = KafkaClients.consumer(bootstrap, null, consumerProperties);
            List<TopicPartition> parts = consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            this.thread = new Thread(this::run, "bench-receiver-" + topic);
            thread.start();
        }

        void sent(int n, long nanos) {
            sentNanos.set(n, nanos);
        }

        /** The Kafka timestamp of the first prediction of {@code version} read, or null before one was. */
        Long firstSeenMs(long version) {
            return firstSeenMs.get(version);
        }

        private void run() {
            Map<String, Long> versions = new HashMap<>();
            while (!stop.get()) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(50))) {
                    long now = System.nanoTime();
                    String id = r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8);
                    if (id != null && id.startsWith("L")) {
                        int n = Integer.parseInt(id.substring(1));
                        if (latencyNanos.get(n) == 0) {
                            latencyNanos.set(n, now - sentNanos.get(n));
                        }
                    }
                    String v = ServingTestKit.header(r, RequestLoop.MODEL_VERSION_HEADER);
                    if (v != null) {
                        firstSeenMs.putIfAbsent(versions.computeIfAbsent(v, Long::parseLong), r.timestamp());
                    }
                }
            }
        }

        /** Waits until every request in [from, to) was received; returns their latencies in nanoseconds, sorted. */
        long[] await(int from, int to) {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            long[] out = new long[to - from];
            for (int i = from; i < to; i++) {
                while (latencyNanos.get(i) == 0) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("request L" + i + " was not received after 60 s");
                    }
                    LockSupport.parkNanos(1_000_000);
                }
                out[i - from] = latencyNanos.get(i);
            }
            Arrays.sort(out);
            return out;
        }

        @Override
        public void close() throws InterruptedException {
            stop.set(true);
            thread.join();
            consumer.close();
        }
    }
}
