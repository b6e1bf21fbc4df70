package io.streamlearn.monitor.quality;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.prometheus.client.CollectorRegistry;
import io.streamlearn.core.event.DriftEvent;
import io.streamlearn.core.event.EventCodec;
import io.streamlearn.core.example.ContentTypes;
import io.streamlearn.core.feedback.Feedback;
import io.streamlearn.core.feedback.FeedbackJsonCodec;
import io.streamlearn.core.kafka.KafkaClients;
import io.streamlearn.core.kafka.Topics;
import io.streamlearn.core.prediction.Prediction;
import io.streamlearn.core.prediction.PredictionBinaryCodec;
import io.streamlearn.core.prediction.PredictionJsonCodec;
import io.streamlearn.core.testkit.KafkaBrokerExtension;
import io.streamlearn.monitor.testkit.MutableClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The served-quality monitor on the real embedded broker: predictions and late labels in, metrics and drift events out. */
class ServedQualityMonitorTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @RegisterExtension
    static final KafkaBrokerExtension kafka = KafkaBrokerExtension.perClass();

    private static Prediction prediction(String id, int label, long version) {
        return new Prediction(id, label, List.of(new Prediction.Score(label, 0.8f)), "mlp", version, 1.5f);
    }

    @Test
    void joinsLateLabelsExportsServedAccuracyPerVersionAndCountsWhatDidNotJoin() {
        String bootstrap = kafka.bootstrapServers();
        Topics topics = kafka.topics(2);
        MutableClock clock = new MutableClock(1_700_000_000_000L);
        CollectorRegistry registry = new CollectorRegistry();
        QualityConfig config = QualityConfig.builder().setBootstrapServers(bootstrap).optTopics(topics)
                .optWindow(Duration.ofMinutes(10)).optClock(clock).optDriftDetector(null).build();
        try (ServedQualityMonitor monitor = new ServedQualityMonitor(config, registry);
                KafkaProducer<byte[], byte[]> producer = KafkaClients.producer(bootstrap, Map.of())) {
            monitor.start();
            await().atMost(WAIT).until(monitor::isReady);
            // v1: 100 predictions of label i % 2 as JSON; v2: 50 in the binary layout.
            for (int i = 0; i < 100; i++) {
                send(producer, topics.predictions(), "r" + i, PredictionJsonCodec.encode(prediction("r" + i, i % 2, 1)),
                        ContentTypes.JSON);
            }
            for (int i = 100; i < 150; i++) {
                send(producer, topics.predictions(), "r" + i,
                        PredictionBinaryCodec.encode(prediction("r" + i, 1, 2)), ContentTypes.PREDICTION_BINARY);
            }
            // Labels: v1's first 80 (60 right, 20 wrong), v2's 50 (all right); 10 for ids never predicted; one bad.
            for (int i = 0; i < 80; i++) {
                int truth = i < 60 ? i % 2 : 1 - i % 2;
                send(producer, topics.feedback(), "r" + i, FeedbackJsonCodec.encode(new Feedback("r" + i, truth)), null);
            }
            for (int i = 100; i < 150; i++) {
                send(producer, topics.feedback(), "r" + i, FeedbackJsonCodec.encode(new Feedback("r" + i, 1)), null);
            }
            for (int i = 0; i < 10; i++) {
                send(producer, topics.feedback(), "ghost" + i, FeedbackJsonCodec.encode(new Feedback("ghost" + i, 0)),
                        null);
            }
            send(producer, topics.feedback(), "bad", "{\"id\":\"bad\"}".getBytes(StandardCharsets.UTF_8), null);
            producer.flush();

            await().atMost(WAIT).until(() -> monitor.matched() == 130 && monitor.invalid() == 1);
            assertThat(monitor.correct()).isEqualTo(110);
            assertThat(monitor.accuracy("mlp", 1)).hasValue(0.75);
            assertThat(monitor.accuracy("mlp", 2)).hasValue(1.0);
            assertThat(registry.getSampleValue("streamlearn_served_accuracy", new String[] {"model", "version"},
                    new String[] {"mlp", "1"})).isEqualTo(0.75);
            assertThat(registry.getSampleValue("streamlearn_served_labeled_total",
                    new String[] {"model", "version", "outcome"}, new String[] {"mlp", "1", "wrong"})).isEqualTo(20.0);
            assertThat(join(registry, "matched")).isEqualTo(130.0);
            assertThat(join(registry, "invalid")).isEqualTo(1.0);
            assertThat(registry.getSampleValue("streamlearn_served_pending", new String[] {"kind"},
                    new String[] {"prediction"})).isEqualTo(20.0);
            assertThat(monitor.expired()).isZero();

            // Ten minutes and a second later the 20 unlabeled predictions and the 10 orphan labels expire.
            clock.advance(Duration.ofMinutes(10).plusSeconds(1));
            await().atMost(WAIT).until(() -> monitor.expired() == 20 && monitor.unmatched() == 10);
            assertThat(join(registry, "expired")).isEqualTo(20.0);
            assertThat(join(registry, "unmatched")).isEqualTo(10.0);
            await().atMost(WAIT).until(() -> registry.getSampleValue("streamlearn_served_pending",
                    new String[] {"kind"}, new String[] {"prediction"}) == 0.0);
            assertThat(monitor.failure()).isEmpty();
        }
        assertThat(registry.getSampleValue("streamlearn_served_join_total", new String[] {"outcome"},
                new String[] {"matched"})).as("unregistered on close").isNull();
    }

    @Test
    void detectsDriftOfTheServedErrorAndPutsTheEventOnTheEventsTopic() {
        String bootstrap = kafka.bootstrapServers();
        Topics topics = kafka.topics(1);
        CollectorRegistry registry = new CollectorRegistry();
        QualityConfig config = QualityConfig.builder().setBootstrapServers(bootstrap).optTopics(topics)
                .optDriftDetector("adwin").build();
        SplittableRandom random = new SplittableRandom(42);
        try (ServedQualityMonitor monitor = new ServedQualityMonitor(config, registry);
                KafkaProducer<byte[], byte[]> producer = KafkaClients.producer(bootstrap, Map.of())) {
            monitor.start();
            await().atMost(WAIT).until(monitor::isReady);
            // 3000 labeled predictions right 90% of the time, then 3000 right 40% of the time.
            for (int i = 0; i < 6_000; i++) {
                String id = "d" + i;
                double accuracy = i < 3_000 ? 0.9 : 0.4;
                int truth = random.nextInt(3);
                int predicted = random.nextDouble() < accuracy ? truth : (truth + 1) % 3;
                send(producer, topics.predictions(), id, PredictionJsonCodec.encode(prediction(id, predicted, 3)),
                        ContentTypes.JSON);
                send(producer, topics.feedback(), id, FeedbackJsonCodec.encode(new Feedback(id, truth)), null);
            }
            producer.flush();
            await().atMost(WAIT).until(() -> monitor.matched() == 6_000);
            List<DriftEvent> events = monitor.driftEvents();
            assertThat(events).isNotEmpty();
            DriftEvent first = events.get(0);
            System.out.println("served-quality drift: " + events);
            assertThat(first.model()).isEqualTo("mlp");
            assertThat(first.component()).isEqualTo("monitor");
            assertThat(first.signal()).isEqualTo(DriftEvent.SERVED_ERROR);
            assertThat(first.version()).isEqualTo(3);
            assertThat(first.examplesSeen()).isBetween(3_001L, 3_600L);
            // ADWIN cuts its window a bucket at a time, so one change gives a burst of detections 32 values apart;
            // the monitor reports one event per burst.
            assertThat(events).hasSize(1);
            assertThat(first.estimate()).isGreaterThan(0.1);
            assertThat(registry.getSampleValue("streamlearn_drift_detections_total",
                    new String[] {"component", "model", "detector", "signal"},
                    new String[] {"monitor", "mlp", "adwin", "served_error"})).isEqualTo((double) events.size());

            List<DriftEvent> onTopic = kafka.reader(topics.events()).readAtLeast(events.size()).stream()
                    .map(r -> (DriftEvent) EventCodec.decode(r.value())).toList();
            assertThat(onTopic).containsExactlyElementsOf(events);
        }
    }

    private static double join(CollectorRegistry registry, String outcome) {
        Double v = registry.getSampleValue("streamlearn_served_join_total", new String[] {"outcome"},
                new String[] {outcome});
        return v == null ? 0 : v;
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, String topic, String key, byte[] value,
            String contentType) {
        RecordHeaders h = new RecordHeaders();
        if (contentType != null) {
            h.add(ContentTypes.HEADER, contentType.getBytes(StandardCharsets.UTF_8));
        }
        producer.send(new ProducerRecord<>(topic, null, key.getBytes(StandardCharsets.UTF_8), value, h));
    }

}
