package io.streamlearn.monitor.quality;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.djl.Model;
import io.prometheus.client.CollectorRegistry;
import io.streamlearn.core.event.ChallengerPromotedEvent;
import io.streamlearn.core.event.ChallengerRefusedEvent;
import io.streamlearn.core.event.EventCodec;
import io.streamlearn.core.event.ModelRolledBackEvent;
import io.streamlearn.core.event.PlatformEvent;
import io.streamlearn.core.example.ContentTypes;
import io.streamlearn.core.example.Example;
import io.streamlearn.core.example.ExampleJsonCodec;
import io.streamlearn.core.example.Features;
import io.streamlearn.core.feedback.Feedback;
import io.streamlearn.core.feedback.FeedbackJsonCodec;
import io.streamlearn.core.kafka.KafkaClients;
import io.streamlearn.core.kafka.Topics;
import io.streamlearn.core.model.ModelSpec;
import io.streamlearn.core.prediction.Prediction;
import io.streamlearn.core.prediction.PredictionJsonCodec;
import io.streamlearn.core.snapshot.ManifestSignature;
import io.streamlearn.core.snapshot.ModelPromotion;
import io.streamlearn.core.snapshot.SnapshotManifest;
import io.streamlearn.core.snapshot.SnapshotStore;
import io.streamlearn.core.testkit.KafkaBrokerExtension;
import io.streamlearn.core.testkit.TopicReader;
import io.streamlearn.monitor.testkit.Snapshots;
import io.streamlearn.serving.PredictionService;
import io.streamlearn.serving.ServingConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The monitor's decisions on the real embedded broker, with real DJL snapshots: a version that serves worse than
 * the one before is rolled back by a promotion serving follows; a worse challenger is refused and never promoted, a
 * better one is promoted with a signed promotion record; every label and prediction is counted.
 */
class ModelDecisionsTest {
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final ModelSpec SPEC = ModelSpec.mlp("mlp", 8, 4, 16);

    @RegisterExtension
    static final KafkaBrokerExtension kafka = KafkaBrokerExtension.perClass();

    @TempDir
    Path dir;

    @Test
    void rollsBackAVersionThatServesWorseThanThePreviousOneWithinTheConfiguredLabeledPredictions() throws Exception {
        String bootstrap = kafka.bootstrapServers();
        // One partition: serving answers in request order, so the version switch is one point in the stream.
        Topics topics = kafka.topics(1);
        SnapshotStore store = new SnapshotStore(dir.resolve("store"));
        CollectorRegistry registry = new CollectorRegistry();
        QualityConfig config = QualityConfig.builder().setBootstrapServers(bootstrap).optTopics(topics)
                .optDriftDetector(null).optStore(store.root())
                .optRules(new PromotionRules(false, 1000, 0.01, true, 40, 0.2)).build();
        ServingConfig serving = ServingConfig.builder().setBootstrapServers(bootstrap).setModel(SPEC.name())
                .setStoreRoot(store.root()).optTopics(topics).optGroupId(topics.prefix() + "serving").build();
        // The truth is what v1 predicts: v1 serves without error, v2 (other random parameters) mostly wrong.
        try (Model good = Snapshots.random(SPEC); Model bad = Snapshots.random(SPEC);
                PredictionService service = new PredictionService(serving, new CollectorRegistry());
                ServedQualityMonitor monitor = new ServedQualityMonitor(config, registry);
                KafkaProducer<byte[], byte[]> producer = KafkaClients.producer(bootstrap, Map.of())) {
            TopicReader predictions = kafka.reader(topics.predictions());
            SnapshotManifest v1 = Snapshots.publish(store, SPEC, good, dir);
            service.start();
            producer.send(new ProducerRecord<>(topics.models(), utf8(SPEC.name()), v1.toJsonBytes()));
            await().atMost(WAIT).until(() -> service.currentVersion() == 1);
            monitor.start();
            await().atMost(WAIT).until(monitor::isReady);

            assertThat(serveAndLabel(producer, topics, predictions, good, 0, 60)).containsOnlyKeys(1L);
            await().atMost(WAIT).until(() -> monitor.matched() == 60);
            assertThat(monitor.accuracy(SPEC.name(), 1)).hasValue(1.0);

            SnapshotManifest v2 = Snapshots.publish(store, SPEC, bad, dir);
            producer.send(new ProducerRecord<>(topics.models(), utf8(SPEC.name()), v2.toJsonBytes()));
            await().atMost(WAIT).until(() -> service.currentVersion() == 2);
            // Exactly the configured 40 labeled predictions of v2.
            assertThat(serveAndLabel(producer, topics, predictions, good, 60, 40)).containsOnlyKeys(2L);
            await().atMost(WAIT).until(() -> monitor.matched() == 100);
            assertThat(monitor.accuracy(SPEC.name(), 2).orElseThrow()).isLessThan(0.8);

            await().atMost(WAIT).until(() -> monitor.decisionEvents().size() == 1);
            ModelRolledBackEvent rollback = (ModelRolledBackEvent) monitor.decisionEvents().get(0);
            assertThat(rollback.version()).isEqualTo(1);
            assertThat(rollback.fromVersion()).isEqualTo(2);
            assertThat(rollback.labeled()).isEqualTo(40);
            assertThat(rollback.previousError()).isEqualTo(0.0);
            assertThat(rollback.error()).isEqualTo(1 - monitor.accuracy(SPEC.name(), 2).orElseThrow());
            assertThat(decisions(registry, "rolled_back")).isEqualTo(1.0);

            // Serving follows the monitor's promotion of v1, the same record `models promote` writes.
            await().atMost(WAIT).until(() -> service.currentVersion() == 1);
            List<ConsumerRecord<byte[], byte[]>> promotions = kafka.reader(topics.models()).readAtLeast(3).stream()
                    .filter(r -> ModelPromotion.isPromotion(r.headers())).toList();
            assertThat(promotions).hasSize(1);
            assertThat(SnapshotManifest.fromJson(promotions.get(0).value()).version()).isEqualTo(1);
            assertThat(kafka.reader(topics.events()).readAtLeast(1).stream().map(r -> EventCodec.decode(r.value())))
                    .containsExactly(rollback);

            // v1 answers again; nothing is rolled "back" to v2, and every label and prediction is counted once.
            assertThat(serveAndLabel(producer, topics, predictions, good, 100, 20)).containsOnlyKeys(1L);
            await().atMost(WAIT).until(() -> monitor.matched() == 120);
            assertThat(monitor.decisionEvents()).hasSize(1);
            assertThat(monitor.champion(SPEC.name())).isEqualTo(1);
            assertThat(monitor.matched() + monitor.unmatched() + monitor.invalid()).as("labels in").isEqualTo(120);
            assertThat(monitor.expired()).isZero();
            assertThat(monitor.failure()).isEmpty();
        }
    }

    @Test
    void refusesAWorseChallengerForGoodAndPromotesABetterOneOnTheSameLabeledRequests() throws Exception {
        String bootstrap = kafka.bootstrapServers();
        // One partition: the labels are joined in the order they are sent, so the first 50 of each comparison are known.
        Topics topics = kafka.topics(1);
        SnapshotStore store = new SnapshotStore(dir.resolve("store"));
        KeyPair keys = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        CollectorRegistry registry = new CollectorRegistry();
        QualityConfig config = QualityConfig.builder().setBootstrapServers(bootstrap).optTopics(topics)
                .optDriftDetector(null).optStore(store.root()).optSigningKey(keys.getPrivate())
                .optRules(new PromotionRules(true, 50, 0.02, true, 1000, 0.05)).build();
        try (Model champion = Snapshots.random(SPEC); Model worse = Snapshots.random(SPEC);
                Model better = Snapshots.random(SPEC);
                ServedQualityMonitor monitor = new ServedQualityMonitor(config, registry);
                KafkaProducer<byte[], byte[]> producer = KafkaClients.producer(bootstrap, Map.of())) {
            Snapshots.publish(store, SPEC, champion, dir);
            Snapshots.publish(store, SPEC, worse, dir);
            Snapshots.publish(store, SPEC, better, dir);
            monitor.start();
            await().atMost(WAIT).until(monitor::isReady);
            // The champion v1 is right but on every 5th request. v1 answers, v2 scores in shadow, as wrong as a
            // model trained on permuted labels: v1's answer shifted by one class.
            for (int i = 0; i < 100; i++) {
                int answer = Snapshots.predict(champion, row(i));
                send(producer, topics.predictions(), prediction(i, answer, 1));
                send(producer, topics.shadowPredictions(), prediction(i, (answer + 1) % 4, 2));
            }
            // A canary: v3 (right but on every 10th request) answers every 4th request, v1 the others; the other
            // one's prediction is the shadow.
            for (int i = 100; i < 200; i++) {
                int answer = Snapshots.predict(champion, row(i));
                int truth = truth(answer, i);
                Prediction v1 = prediction(i, answer, 1);
                Prediction v3 = prediction(i, i % 10 == 1 ? (truth + 2) % 4 : truth, 3);
                boolean canary = i % 4 == 0;
                send(producer, topics.predictions(), canary ? v3 : v1);
                send(producer, topics.shadowPredictions(), canary ? v1 : v3);
            }
            producer.flush();
            // The labels come late, as they do in production: after the monitor holds every prediction.
            await().atMost(WAIT).until(() -> pending(registry, "prediction") == 200);
            for (int i = 0; i < 200; i++) {
                sendLabel(producer, topics, i, truth(Snapshots.predict(champion, row(i)), i));
            }
            producer.flush();
            await().atMost(WAIT).until(() -> monitor.matched() == 200 && monitor.decisionEvents().size() == 2);

            ChallengerRefusedEvent refused = one(monitor.decisionEvents(), ChallengerRefusedEvent.class);
            // v2 against v1 over the first 50 labeled requests: always wrong against wrong every 5th.
            assertThat(refused).usingRecursiveComparison().ignoringFields("timeMs")
                    .isEqualTo(new ChallengerRefusedEvent(SPEC.name(), PlatformEvent.MONITOR, 2, 1, 50, 1.0, 0.2, 0));
            ChallengerPromotedEvent promoted = one(monitor.decisionEvents(), ChallengerPromotedEvent.class);
            assertThat(promoted).usingRecursiveComparison().ignoringFields("timeMs")
                    .isEqualTo(new ChallengerPromotedEvent(SPEC.name(), PlatformEvent.MONITOR, 3, 1, 50, 0.1, 0.2, 0));
            assertThat(decisions(registry, "refused")).isEqualTo(1.0);
            assertThat(decisions(registry, "promoted")).isEqualTo(1.0);

            // One promotion on the models topic, of v3, signed with the monitor's key; none of v2, ever.
            List<ConsumerRecord<byte[], byte[]>> models = kafka.reader(topics.models()).readAtLeast(1);
            assertThat(models).hasSize(1);
            assertThat(ModelPromotion.isPromotion(models.get(0).headers())).isTrue();
            SnapshotManifest m = SnapshotManifest.fromJson(models.get(0).value());
            assertThat(m.version()).isEqualTo(3);
            ManifestSignature.verify(m, keys.getPublic());
            assertThat(kafka.reader(topics.events()).readAtLeast(2).stream().map(r -> EventCodec.decode(r.value())))
                    .containsExactly(refused, promoted);
            // Counts add up: 200 answers, 200 shadows and 200 labels, every one matched.
            assertThat(monitor.shadowMatched()).isEqualTo(200);
            assertThat(monitor.shadowExpired() + monitor.expired() + monitor.unmatched() + monitor.invalid()).isZero();
            await().atMost(WAIT).until(() -> pending(registry, "label") == 0 && pending(registry, "prediction") == 0);
        }
    }

    /** The label of request {@code i} whose champion answered {@code answer}: another one every 5th request. */
    private static int truth(int answer, int i) {
        return i % 5 == 0 ? (answer + 3) % 4 : answer;
    }

    private static <T> T one(List<PlatformEvent> events, Class<T> kind) {
        List<T> of = events.stream().filter(kind::isInstance).map(kind::cast).toList();
        assertThat(of).as(kind.getSimpleName()).hasSize(1);
        return of.get(0);
    }

    /**
     * Sends requests {@code from}..{@code from + n - 1} (the {@code from} before them answered already), waits for
     * their predictions and labels each with what
     * {@code truth} predicts; returns how many each version answered.
     */
    private static Map<Long, Integer> serveAndLabel(KafkaProducer<byte[], byte[]> producer, Topics topics,
            TopicReader predictions, Model truth, int from, int n) throws Exception {
        for (int i = from; i < from + n; i++) {
            RecordHeaders h = new RecordHeaders();
            h.add(ContentTypes.HEADER, utf8(ContentTypes.JSON));
            producer.send(new ProducerRecord<>(topics.requests(), null, utf8("r" + i),
                    ExampleJsonCodec.encode(Example.request("r" + i, Features.ofFloats(row(i)))), h));
        }
        producer.flush();
        Map<Long, Integer> versions = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : predictions.awaitAtLeast(from + n).subList(from, from + n)) {
            Prediction p = PredictionJsonCodec.decode(r.value());
            versions.merge(p.version(), 1, Integer::sum);
            int i = Integer.parseInt(p.id().substring(1));
            sendLabel(producer, topics, i, Snapshots.predict(truth, row(i)));
        }
        producer.flush();
        return versions;
    }

    private static float[] row(int i) {
        float[] v = new float[8];
        for (int j = 0; j < v.length; j++) {
            v[j] = (float) Math.sin(i * 7.1 + j * 3.3) * 2;
        }
        return v;
    }

    private static Prediction prediction(int i, int label, long version) {
        return new Prediction("r" + i, label, List.of(new Prediction.Score(label, 0.9f)), SPEC.name(), version, 1f);
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, String topic, Prediction p) {
        RecordHeaders h = new RecordHeaders();
        h.add(ContentTypes.HEADER, utf8(ContentTypes.JSON));
        producer.send(new ProducerRecord<>(topic, null, utf8(p.id()), PredictionJsonCodec.encode(p), h));
    }

    private static void sendLabel(KafkaProducer<byte[], byte[]> producer, Topics topics, int i, int label) {
        producer.send(new ProducerRecord<>(topics.feedback(), utf8("r" + i),
                FeedbackJsonCodec.encode(new Feedback("r" + i, label))));
    }

    private static double pending(CollectorRegistry registry, String kind) {
        Double v = registry.getSampleValue("streamlearn_served_pending", new String[] {"kind"}, new String[] {kind});
        return v == null ? -1 : v;
    }

    private static double decisions(CollectorRegistry registry, String decision) {
        Double v = registry.getSampleValue("streamlearn_model_decisions_total", new String[] {"model", "decision"},
                new String[] {SPEC.name(), decision});
        return v == null ? 0 : v;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
