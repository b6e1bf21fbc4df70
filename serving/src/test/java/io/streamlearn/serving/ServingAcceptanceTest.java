package io.streamlearn.serving;

import static io.streamlearn.serving.ServingTestKit.announce;
import static io.streamlearn.serving.ServingTestKit.jsonRequest;
import static io.streamlearn.serving.ServingTestKit.promote;
import static io.streamlearn.serving.ServingTestKit.publish;
import static io.streamlearn.serving.ServingTestKit.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.prometheus.client.CollectorRegistry;
import io.streamlearn.core.kafka.Topics;
import io.streamlearn.core.prediction.Prediction;
import io.streamlearn.core.prediction.PredictionJsonCodec;
import io.streamlearn.core.snapshot.SnapshotManifest;
import io.streamlearn.core.testkit.KafkaBrokerExtension;
import io.streamlearn.core.testkit.TopicReader;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Serving's acceptance criteria (issue 5) on a real embedded broker: delivery under swaps and rebalances, promote. */
class ServingAcceptanceTest extends ServingTestKit.OnEmbeddedBroker {
    @RegisterExtension
    static final KafkaBrokerExtension kafka = KafkaBrokerExtension.perClass();

    ServingAcceptanceTest() {
        super(kafka);
    }

    private ServingConfig.Builder config() {
        return servingConfig().optMaxBatch(64).optMaxWaitMicros(1_000).optTopK(3);
    }

    /**
     * A steady stream of requests; two instances of one group share it (a scale-out and a scale-in mid-stream,
     * so partitions move twice) while five versions are published one after the other.
     */
    @ParameterizedTest(name = "exactlyOnce={0}")
    @ValueSource(booleans = {true, false})
    void answersEveryRequestOfASteadyStreamWhileFiveVersionsArePublished(boolean exactlyOnce) throws Exception {
        Set<Long> published = new HashSet<>();
        PredictionService first = new PredictionService(config().optExactlyOnce(exactlyOnce).optInstanceId("first")
                .build(), new CollectorRegistry());
        PredictionService second = new PredictionService(config().optExactlyOnce(exactlyOnce)
                .optInstanceId("second").build(), new CollectorRegistry());
        TopicReader predictions = kafka.reader(topics.predictions());
        TopicReader dlq = kafka.reader(topics.predictionsDlq());
        try (first; second;
                KafkaProducer<byte[], byte[]> producer = producer();
                RequestStream stream = new RequestStream(producer, topics)) {
            published.add(startServing(first, producer).version());
            stream.start();
            await().atMost(WAIT).until(() -> first.served() > 100);

            for (int v = 2; v <= 5; v++) {
                if (v == 3) {
                    second.start(); // scale out: the group rebalances under the stream
                    await().atMost(WAIT).until(second::isReady);
                }
                if (v == 4) {
                    first.close(); // scale in: its partitions move to the second instance
                }
                int before = stream.sent();
                SnapshotManifest m = publish(store, MLP);
                published.add(m.version());
                announce(producer, topics, m);
                PredictionService live = v >= 4 ? second : first;
                await().atMost(WAIT).until(() -> live.currentVersion() == m.version());
                // Requests keep arriving across the swap.
                await().atMost(WAIT).until(() -> stream.sent() > before + 200);
            }
            int sent = stream.stop();
            assertThat(stream.failure()).isNull();
            assertThat(second.currentVersion()).isEqualTo(5);

            await().atMost(WAIT).until(() -> committedOffsets() == sent);
            Map<String, Integer> answers = new HashMap<>();
            Set<Long> versions = new HashSet<>();
            for (ConsumerRecord<byte[], byte[]> r : predictions.readToEnd()) {
                Prediction p = PredictionJsonCodec.decode(r.value());
                answers.merge(p.id(), 1, Integer::sum);
                versions.add(p.version());
            }
            assertThat(answers).as("every request answered").hasSize(sent);
            for (int i = 0; i < sent; i++) {
                assertThat(answers).containsKey("r" + i);
            }
            if (exactlyOnce) {
                assertThat(answers.values()).as("exactly one prediction per request (read_committed)")
                        .allMatch(n -> n == 1);
            } else {
                assertThat(answers.values()).as("at least one prediction per request").allMatch(n -> n >= 1);
            }
            assertThat(published).containsAll(versions);
            assertThat(versions).contains(1L, 5L);
            assertThat(dlq.readToEnd()).as("no request failed").isEmpty();
            assertThat(first.rejected() + second.rejected()).isZero();
            assertThat(first.failure()).isEmpty();
            assertThat(second.failure()).isEmpty();
            if (exactlyOnce) {
                assertThat(first.served() + second.served()).isEqualTo(sent);
            }
        }
    }

    /** A second instance started with the same instance id fences the first (a zombie) mid-stream. */
    @Test
    void fencesAZombieWithTheSameTransactionalIdAndStillAnswersEachRequestOnce() throws Exception {
        ServingConfig same = config().optExactlyOnce(true).optInstanceId("pod-0").build();
        PredictionService zombie = new PredictionService(same, new CollectorRegistry());
        PredictionService successor = new PredictionService(same, new CollectorRegistry());
        TopicReader predictions = kafka.reader(topics.predictions());
        try (zombie; successor;
                KafkaProducer<byte[], byte[]> producer = producer();
                RequestStream stream = new RequestStream(producer, topics)) {
            startServing(zombie, producer);
            stream.start();
            await().atMost(WAIT).until(() -> zombie.served() > 100);

            successor.start(); // initTransactions with the same transactional.id fences the zombie
            await().atMost(WAIT).until(() -> zombie.failure().isPresent());
            assertThat(zombie.failure().get()).hasMessageContaining("pod-0");
            assertThat(zombie.isReady()).isFalse();
            await().atMost(WAIT).until(successor::isReady);
            int before = stream.sent();
            await().atMost(WAIT).until(() -> stream.sent() > before + 200);
            int sent = stream.stop();

            await().atMost(WAIT).until(() -> committedOffsets() == sent);
            Map<String, Integer> answers = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> r : predictions.readToEnd()) {
                answers.merge(PredictionJsonCodec.decode(r.value()).id(), 1, Integer::sum);
            }
            assertThat(answers).hasSize(sent);
            assertThat(answers.values()).as("exactly one prediction per request (read_committed)")
                    .allMatch(n -> n == 1);
        }
    }

    @Test
    void promoteRollsServingBackUntilANewerVersionIsPromoted() throws Exception {
        SnapshotManifest v1 = publish(store, MLP);
        SnapshotManifest v2 = publish(store, MLP);
        SnapshotManifest v3 = publish(store, MLP);
        TopicReader predictions = kafka.reader(topics.predictions());
        try (PredictionService service = new PredictionService(config().build(), new CollectorRegistry());
                KafkaProducer<byte[], byte[]> producer = producer()) {
            service.start();
            for (SnapshotManifest m : List.of(v1, v2, v3)) {
                announce(producer, topics, m);
                await().atMost(WAIT).until(() -> service.currentVersion() == m.version());
            }

            promote(producer, topics, v1);
            await().atMost(WAIT).until(() -> service.currentVersion() == 1);
            for (int i = 0; i < 20; i++) {
                producer.send(jsonRequest(topics, "r" + i, row(8, i)));
            }
            producer.flush();
            for (ConsumerRecord<byte[], byte[]> r : predictions.awaitAtLeast(20)) {
                assertThat(PredictionJsonCodec.decode(r.value()).version()).isEqualTo(1);
            }

            // A restarted instance reads the topic's history and lands on the promoted version too.
            try (PredictionService restarted = new PredictionService(config().optGroupId(group + "-restarted").build(),
                    new CollectorRegistry())) {
                restarted.start();
                await().atMost(WAIT).until(restarted::isReady);
                assertThat(restarted.currentVersion()).isEqualTo(1);
                assertThat(restarted.swaps()).isEqualTo(1);
            }

            // A late plain announcement of an older version does not move it; the next new version enters as
            // challenger (issue 15: a publish must not undo a rollback) and answers once promoted.
            announce(producer, topics, v2);
            SnapshotManifest v4 = publish(store, MLP);
            announce(producer, topics, v4);
            await().atMost(WAIT).until(() -> service.challengerVersion() == 4);
            assertThat(service.currentVersion()).isEqualTo(1);
            promote(producer, topics, v4);
            await().atMost(WAIT).until(() -> service.currentVersion() == 4);
            assertThat(service.swaps()).as("v1, v2, v3, promoted v1, v4: the stale v2 was not loaded").isEqualTo(5);
            assertThat(service.refusedSnapshots()).isZero();
        }
    }

    /** Sends requests r0, r1, ... at about 2,000/s from its own thread until stopped. */
    private static final class RequestStream implements AutoCloseable {
        private final KafkaProducer<byte[], byte[]> producer;
        private final Topics topics;
        private final AtomicBoolean stopping = new AtomicBoolean();
        private final AtomicInteger sent = new AtomicInteger();
        private final AtomicReference<Exception> failure = new AtomicReference<>();
        private final Thread thread;

        RequestStream(KafkaProducer<byte[], byte[]> producer, Topics topics) {
            this.producer = producer;
            this.topics = topics;
            this.thread = new Thread(this::run, "request-stream");
        }

        void start() {
            thread.start();
        }

        private void run() {
            long next = System.nanoTime();
            while (!stopping.get()) {
                int n = sent.get();
                producer.send(jsonRequest(topics, "r" + n, row(8, n)), (md, e) -> {
                    if (e != null) {
                        failure.compareAndSet(null, e);
                    }
                });
                sent.incrementAndGet();
                // Pacing a load generator, not waiting for a condition: one request per 500 us.
                next += 500_000;
                LockSupport.parkNanos(next - System.nanoTime());
            }
            producer.flush();
        }

        int sent() {
            return sent.get();
        }

        Exception failure() {
            return failure.get();
        }

        /** Stops sending, waits until everything sent is acknowledged, and returns the count. */
        int stop() throws InterruptedException {
            stopping.set(true);
            thread.join();
            return sent.get();
        }

        @Override
        public void close() throws InterruptedException {
            stop();
        }
    }
}
