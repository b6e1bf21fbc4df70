package io.streamlearn.monitor.quality;

import static java.util.stream.Collectors.toSet;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
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
import io.streamlearn.core.snapshot.ModelRefusal;
import io.streamlearn.core.snapshot.SnapshotManifest;
import io.streamlearn.core.snapshot.SnapshotStore;
import io.streamlearn.core.testkit.KafkaBrokerExtension;
import io.streamlearn.core.testkit.TopicReader;
import io.streamlearn.monitor.testkit.MutableClock;
import io.streamlearn.monitor.testkit.Snapshots;
import io.streamlearn.serving.PredictionService;
import io.streamlearn.serving.ServingConfig;
import io.streamlearn.serving.model.ChallengerRule;
import io.streamlearn.serving.model.ChallengerRule.Mode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
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
    /** One linear layer: its classes are chosen features, so a good, a half-wrong and a permuted model are exact. */
    private static final ModelSpec LINEAR = ModelSpec.mlp("linear", 8, 4);

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
            // The same fraction by two sums: 13/40 and 1 - 27/40 differ in the last bit.
            assertThat(rollback.error()).isCloseTo(1 - monitor.accuracy(SPEC.name(), 2).orElseThrow(), within(1e-12));
            assertThat(decisions(registry, SPEC, "rolled_back")).isEqualTo(1.0);

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
            assertThat(decisions(registry, SPEC, "refused")).isEqualTo(1.0);
            assertThat(decisions(registry, SPEC, "promoted")).isEqualTo(1.0);

            // On the models topic, in the order decided: the refusal of v2 under its own key (compaction keeps the
            // model's manifests) and one promotion, of v3, both signed with the monitor's key; no promotion of v2.
            List<ConsumerRecord<byte[], byte[]>> models = kafka.reader(topics.models()).readAtLeast(2);
            assertThat(models).hasSize(2);
            assertThat(ModelRefusal.isRefusal(SPEC.name(), models.get(0).key(), models.get(0).headers())).isTrue();
            assertThat(ModelPromotion.isPromotion(models.get(0).headers())).isFalse();
            assertThat(new String(models.get(0).key(), StandardCharsets.UTF_8)).isEqualTo(SPEC.name() + "#refused");
            SnapshotManifest refusal = SnapshotManifest.fromJson(models.get(0).value());
            assertThat(refusal.version()).isEqualTo(2);
            ManifestSignature.verify(refusal, keys.getPublic());
            assertThat(ModelPromotion.isPromotion(models.get(1).headers())).isTrue();
            assertThat(models.get(1).key()).isEqualTo(utf8(SPEC.name()));
            SnapshotManifest m = SnapshotManifest.fromJson(models.get(1).value());
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

    /**
     * Shadow mode on real serving: v2, whose classes are permuted (as a model trained on permuted labels predicts),
     * scores every request, never answers one and is refused; v3 (right) is promoted by the monitor's record and
     * serving switches to it.
     */
    @Test
    void inShadowModeAWorseChallengerIsRefusedAndNeverAnswersAndABetterOneIsPromotedAndServingSwitches()
            throws Exception {
        try (Loop loop = new Loop(Mode.SHADOW, 0.1)) {
            loop.publish(loop.halfWrong);
            loop.publish(loop.permuted);
            loop.start(() -> loop.service.currentVersion() == 1 && loop.service.challengerVersion() == 2);

            Served first = loop.serveAndLabel(0, 50, true);
            assertThat(first.answeredBy()).as("the worse challenger never answers").containsOnlyKeys(1L);
            assertThat(first.scoredBy()).containsExactly(Map.entry(2L, 50));
            await().atMost(WAIT).until(() -> loop.monitor.decisionEvents().size() == 1);
            assertThat(loop.monitor.decisionEvents().get(0)).usingRecursiveComparison().ignoringFields("timeMs")
                    .isEqualTo(new ChallengerRefusedEvent(LINEAR.name(), PlatformEvent.MONITOR, 2, 1, 40, 1.0,
                            loop.error(loop.halfWrong, 0, 40), 0));

            assertThat(loop.error(loop.halfWrong, 50, 40)).as("v3 is better than v1 by far").isGreaterThan(0.2);
            loop.assertPromotedOverHalfWrong(loop.challenge(loop.right, 3, 1, 50, 50), 3, 50);
            assertThat(loop.serveAndLabel(100, 20, false).answeredBy()).containsExactly(Map.entry(3L, 20));
            assertThat(loop.promotedVersions(4)).as("v2 is never promoted").containsExactly(3L);
            assertThat(decisions(loop.registry, LINEAR, "refused")).isEqualTo(1.0);
            assertThat(decisions(loop.registry, LINEAR, "promoted")).isEqualTo(1.0);
            assertThat(loop.monitor.champion(LINEAR.name())).isEqualTo(3);
            loop.assertEveryRecordCounted(100);
        }
    }

    /** Canary mode on real serving: the permuted challenger answers exactly its share of the ids and is refused. */
    @Test
    void inCanaryModeAWorseChallengerAnswersOnlyItsShareAndIsRefused() throws Exception {
        ChallengerRule rule = new ChallengerRule(Mode.CANARY, 0.3);
        try (Loop loop = new Loop(rule.mode(), 0.3)) {
            loop.publish(loop.halfWrong);
            loop.publish(loop.permuted);
            loop.start(() -> loop.service.currentVersion() == 1 && loop.service.challengerVersion() == 2);

            Served served = loop.serveAndLabel(0, 100, true);
            Set<String> canary = new HashSet<>();
            for (Map.Entry<String, Long> a : served.answers().entrySet()) {
                assertThat(served.shadows().get(a.getKey())).as("the other model scored %s", a.getKey())
                        .isEqualTo(3 - a.getValue());
                if (a.getValue() == 2) {
                    canary.add(a.getKey());
                }
            }
            assertThat(canary).as("v2 answers exactly its share of the ids")
                    .isEqualTo(served.answers().keySet().stream().filter(rule::canaryAnswers).collect(toSet()))
                    .isNotEmpty().hasSizeLessThan(50);
            await().atMost(WAIT).until(() -> loop.monitor.decisionEvents().size() == 1);
            ChallengerRefusedEvent refused = (ChallengerRefusedEvent) loop.monitor.decisionEvents().get(0);
            assertThat(List.of(refused.version(), refused.championVersion(), refused.labeled()))
                    .containsExactly(2L, 1L, 40L);
            assertThat(refused.error()).isEqualTo(1.0);
            assertThat(refused.championError()).isLessThan(0.8);
            assertThat(loop.promotedVersions(2)).as("a refused canary is never promoted").isEmpty();
            assertThat(loop.service.currentVersion()).isEqualTo(1);

            // The refusal record on the models topic takes the canary out at once: v2 answers and scores nothing
            // more, and a restart re-derives that from the compacted topic. These requests are never labeled; then a
            // label of an id never served, sent twice, and a label without one.
            List<ConsumerRecord<byte[], byte[]>> refusals = kafka.reader(loop.topics.models()).readAtLeast(3).stream()
                    .filter(r -> ModelRefusal.isRefusal(LINEAR.name(), r.key(), r.headers())).toList();
            assertThat(refusals).hasSize(1);
            assertThat(SnapshotManifest.fromJson(refusals.get(0).value()).version()).isEqualTo(2);
            await().atMost(WAIT).until(() -> loop.service.challengerVersion() == 0);
            assertThat(loop.service.currentVersion()).as("the champion is untouched").isEqualTo(1);
            assertThat(loop.serve(100, 5, false).answeredBy()).containsExactly(Map.entry(1L, 5));
            loop.restartServing(Mode.CANARY);
            await().atMost(WAIT).until(() -> loop.service.currentVersion() == 1);
            assertThat(loop.serve(105, 5, false).answeredBy()).as("after a restart too")
                    .containsExactly(Map.entry(1L, 5));
            assertThat(loop.service.challengerVersion()).isZero();
            loop.sendRaw("ghost", FeedbackJsonCodec.encode(new Feedback("ghost", 1)));
            loop.sendRaw("ghost", FeedbackJsonCodec.encode(new Feedback("ghost", 1)));
            loop.sendRaw("bad", utf8("{\"id\":\"bad\"}"));
            loop.producer.flush();
            await().atMost(WAIT).until(() -> loop.monitor.invalid() == 1 && join(loop.registry, "duplicate") == 1);
            loop.clock.advance(Duration.ofMinutes(10).plusSeconds(1));
            await().atMost(WAIT).until(() -> loop.monitor.expired() == 10 && loop.monitor.unmatched() == 1);
            assertThat(loop.monitor.shadowExpired()).as("nothing scored in shadow after the refusal").isZero();
            loop.assertEveryRecordCounted(100);
        }
    }

    /**
     * Rollback on real serving with {@code --challenger off}: v2 (permuted) answers at once, is rolled back after 40
     * labeled predictions; the next publish (permuted too) enters as a challenger and is refused, the one after
     * (right) beats the champion and is promoted.
     */
    @Test
    void afterAnAutomaticRollbackTheNextVersionsEnterAsChallengersAndOnlyOneThatBeatsTheChampionIsPromoted()
            throws Exception {
        try (Loop loop = new Loop(Mode.OFF, 0.1)) {
            loop.publish(loop.halfWrong);
            loop.start(() -> loop.service.currentVersion() == 1);
            assertThat(loop.serveAndLabel(0, 40, false).answeredBy()).containsExactly(Map.entry(1L, 40));

            loop.publish(loop.permuted);
            await().atMost(WAIT).until(() -> loop.service.currentVersion() == 2);
            assertThat(loop.serveAndLabel(40, 40, false).answeredBy()).containsExactly(Map.entry(2L, 40));
            await().atMost(WAIT).until(() -> loop.monitor.decisionEvents().size() == 1);
            assertThat(loop.monitor.decisionEvents().get(0)).usingRecursiveComparison().ignoringFields("timeMs")
                    .isEqualTo(new ModelRolledBackEvent(LINEAR.name(), PlatformEvent.MONITOR, 1, 2, 40, 1.0,
                            loop.error(loop.halfWrong, 0, 40), 0));
            await().atMost(WAIT).until(() -> loop.service.currentVersion() == 1);

            // The next publish does not undo the rollback: it is a challenger in shadow, and worse, so refused.
            assertThat(loop.challenge(loop.permutedAgain, 3, 1, 80, 40)).isInstanceOf(ChallengerRefusedEvent.class);
            loop.assertPromotedOverHalfWrong(loop.challenge(loop.right, 4, 1, 120, 40), 4, 120);
            assertThat(loop.serveAndLabel(160, 20, false).answeredBy()).containsExactly(Map.entry(4L, 20));

            assertThat(loop.promotedVersions(6)).as("the rollback, then the better version").containsExactly(1L, 4L);
            assertThat(kafka.reader(loop.topics.events()).readAtLeast(3).stream()
                    .map(r -> EventCodec.decode(r.value()))).containsExactlyElementsOf(loop.monitor.decisionEvents());
            assertThat(decisions(loop.registry, LINEAR, "rolled_back")).isEqualTo(1.0);
            loop.assertEveryRecordCounted(80);
        }
    }

    /** One batch of requests: the version that answered each id and the one that scored it in shadow. */
    private record Served(Map<String, Long> answers, Map<String, Long> shadows) {
        Map<Long, Integer> answeredBy() {
            return count(answers);
        }

        Map<Long, Integer> scoredBy() {
            return count(shadows);
        }

        private static Map<Long, Integer> count(Map<String, Long> versions) {
            Map<Long, Integer> out = new HashMap<>();
            versions.values().forEach(v -> out.merge(v, 1, Integer::sum));
            return out;
        }
    }

    /**
     * The production loop of one test on its own topics and store: real serving with one challenger rule, the real
     * monitor with both rules (promote after 40 comparisons, margin 0.02; roll back after 40, margin 0.2; a ten-minute
     * join window that passes only when the test advances {@link #clock}), and four one-layer models. Requests are
     * labeled late with what {@link #right} predicts.
     */
    private final class Loop implements AutoCloseable {
        final Topics topics = kafka.topics(1);
        final SnapshotStore store = new SnapshotStore(dir.resolve("store"));
        final CollectorRegistry registry = new CollectorRegistry();
        final MutableClock clock = new MutableClock(1_700_000_000_000L);
        /** The truth: class k for the largest of features 0..3. */
        final Model right = Snapshots.linear(LINEAR, 0, 1, 2, 3);
        /** Classes 0 and 1 swapped: wrong on about half the requests. */
        final Model halfWrong = Snapshots.linear(LINEAR, 1, 0, 2, 3);
        /** Every class permuted, as a model trained on permuted labels predicts: always wrong. */
        final Model permuted = Snapshots.linear(LINEAR, 1, 2, 3, 0);
        final Model permutedAgain = Snapshots.linear(LINEAR, 3, 0, 1, 2);
        PredictionService service;
        final ServedQualityMonitor monitor;
        final KafkaProducer<byte[], byte[]> producer = KafkaClients.producer(kafka.bootstrapServers(), Map.of());
        final TopicReader predictions = kafka.reader(topics.predictions());
        final TopicReader shadow = kafka.reader(topics.shadowPredictions());
        private int labels;

        /** Serving as {@code streamlearn serve --challenger MODE --canary-share SHARE} runs it. */
        Loop(Mode mode, double share) {
            service = serving(mode, share);
            monitor = new ServedQualityMonitor(QualityConfig.builder().setBootstrapServers(kafka.bootstrapServers())
                    .optTopics(topics).optDriftDetector(null).optStore(store.root()).optClock(clock)
                    .optWindow(Duration.ofMinutes(10)).optRules(new PromotionRules(true, 40, 0.02, true, 40, 0.2))
                    .build(), registry);
        }

        private PredictionService serving(Mode mode, double share) {
            return new PredictionService(ServingConfig.builder().setBootstrapServers(kafka.bootstrapServers())
                    .setModel(LINEAR.name()).setStoreRoot(store.root()).optTopics(topics)
                    .optGroupId(topics.prefix() + "serving").optChallenger(new ChallengerRule(mode, share)).build(),
                    new CollectorRegistry());
        }

        /** Stops serving and starts it again, in the same consumer group, with {@code --challenger MODE}. */
        void restartServing(Mode mode) {
            service.close();
            service = serving(mode, 0.3);
            service.start();
        }

        /** Publishes {@code model} as the next version and announces it on the models topic, as the trainer does. */
        SnapshotManifest publish(Model model) throws Exception {
            SnapshotManifest m = Snapshots.publish(store, LINEAR, model, dir);
            producer.send(new ProducerRecord<>(topics.models(), utf8(m.model()), m.toJsonBytes()));
            producer.flush();
            return m;
        }

        /** Starts serving, waits for {@code served}, then starts the monitor. */
        void start(Callable<Boolean> served) {
            service.start();
            await().atMost(WAIT).until(served);
            monitor.start();
            await().atMost(WAIT).until(monitor::isReady);
        }

        /**
         * Sends requests {@code from}..{@code from + n - 1} (the {@code from} before them answered already), waits
         * for their answers (and shadow scores when {@code shadowed}) to be held by the monitor, then labels each.
         */
        Served serveAndLabel(int from, int n, boolean shadowed) {
            Served served = serve(from, n, shadowed);
            for (int i = from; i < from + n; i++) {
                sendLabel(producer, topics, i, Snapshots.predict(right, row(i)));
                labels++;
            }
            producer.flush();
            await().atMost(WAIT).until(() -> monitor.matched() == from + n);
            return served;
        }

        /**
         * Publishes {@code model}, which becomes challenger v{@code version}, serves {@code n} labeled requests that
         * the champion v{@code champion} answers and the challenger scores, and returns the monitor's decision.
         */
        PlatformEvent challenge(Model model, long version, long champion, int from, int n) throws Exception {
            int decided = monitor.decisionEvents().size();
            publish(model);
            await().atMost(WAIT).until(() -> service.challengerVersion() == version);
            Served served = serveAndLabel(from, n, true);
            assertThat(served.answeredBy()).as("the champion answers").containsExactly(Map.entry(champion, n));
            assertThat(served.scoredBy()).as("the challenger scores").containsExactly(Map.entry(version, n));
            await().atMost(WAIT).until(() -> monitor.decisionEvents().size() == decided + 1);
            return monitor.decisionEvents().get(decided);
        }

        /**
         * {@code decision} promoted v{@code version} (right) over the champion v1 (half wrong) on the 40 requests
         * from {@code from}, and the monitor's promotion record makes serving switch: no challenger is left.
         */
        void assertPromotedOverHalfWrong(PlatformEvent decision, long version, int from) {
            assertThat(decision).usingRecursiveComparison().ignoringFields("timeMs").isEqualTo(
                    new ChallengerPromotedEvent(LINEAR.name(), PlatformEvent.MONITOR, version, 1, 40, 0.0,
                            error(halfWrong, from, 40), 0));
            await().atMost(WAIT).until(() -> service.currentVersion() == version && service.challengerVersion() == 0);
        }

        /** As {@link #serveAndLabel} without the labels. */
        Served serve(int from, int n, boolean shadowed) {
            sendRequests(producer, topics, from, n);
            Map<String, Long> answers = versionsById(predictions.awaitAtLeast(from + n).subList(from, from + n));
            Map<String, Long> shadows = new HashMap<>();
            if (shadowed) {
                shadows = versionsById(shadow.awaitUntil(got -> versionsById(got).keySet().containsAll(
                        answers.keySet())));
                shadows.keySet().retainAll(answers.keySet());
            }
            // Labels come late, as in production: after the monitor holds the answers they label.
            await().atMost(WAIT).until(() -> monitor.matched() + monitor.expired() + pending(registry, "prediction")
                    == from + n);
            return new Served(answers, shadows);
        }

        /** Sends a label record as it is, counted as one label in. */
        void sendRaw(String key, byte[] value) {
            producer.send(new ProducerRecord<>(topics.feedback(), utf8(key), value));
            labels++;
        }

        /** The error rate of {@code model} on requests {@code from}..{@code from + n - 1}. */
        double error(Model model, int from, int n) {
            long wrong = IntStream.range(from, from + n)
                    .filter(i -> Snapshots.predict(model, row(i)) != Snapshots.predict(right, row(i))).count();
            return (double) wrong / n;
        }

        /** The versions promoted on the models topic, once it holds at least {@code records} records. */
        List<Long> promotedVersions(int records) {
            return kafka.reader(topics.models()).readAtLeast(records).stream()
                    .filter(r -> ModelPromotion.isPromotion(r.headers()))
                    .map(r -> SnapshotManifest.fromJson(r.value()).version()).toList();
        }

        /**
         * Labels in = matched + unmatched + duplicate + invalid; answers and shadow scores = matched + expired, with
         * {@code shadows} shadow scores matched.
         */
        void assertEveryRecordCounted(int shadows) {
            assertThat(monitor.matched() + monitor.unmatched() + join(registry, "duplicate") + monitor.invalid())
                    .as("labels in").isEqualTo(labels);
            assertThat(monitor.matched() + monitor.expired()).as("answers").isEqualTo(predictions.readToEnd().size());
            assertThat(monitor.shadowMatched()).isEqualTo(shadows);
            assertThat(monitor.shadowMatched() + monitor.shadowExpired()).as("shadow scores")
                    .isEqualTo(shadow.readToEnd().size());
            assertThat(monitor.failure()).isEmpty();
            assertThat(service.failure()).isEmpty();
        }

        @Override
        public void close() {
            // Serving and the monitor first: they stop using the models before those are closed.
            service.close();
            monitor.close();
            producer.close();
            for (Model m : List.of(right, halfWrong, permuted, permutedAgain)) {
                m.close();
            }
        }
    }

    /** Sends requests {@code r<from>}..{@code r<from + n - 1>} as JSON, the features of each from its index. */
    private static void sendRequests(KafkaProducer<byte[], byte[]> producer, Topics topics, int from, int n) {
        for (int i = from; i < from + n; i++) {
            RecordHeaders h = new RecordHeaders();
            h.add(ContentTypes.HEADER, utf8(ContentTypes.JSON));
            producer.send(new ProducerRecord<>(topics.requests(), null, utf8("r" + i),
                    ExampleJsonCodec.encode(Example.request("r" + i, Features.ofFloats(row(i)))), h));
        }
        producer.flush();
    }

    private static Map<String, Long> versionsById(List<ConsumerRecord<byte[], byte[]>> records) {
        Map<String, Long> out = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            Prediction p = PredictionJsonCodec.decode(r.value());
            assertThat(out.put(p.id(), p.version())).as("one prediction of %s", p.id()).isNull();
        }
        return out;
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
        sendRequests(producer, topics, from, n);
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

    private static long join(CollectorRegistry registry, String outcome) {
        Double v = registry.getSampleValue("streamlearn_served_join_total", new String[] {"outcome"},
                new String[] {outcome});
        return v == null ? 0 : v.longValue();
    }

    private static double decisions(CollectorRegistry registry, ModelSpec spec, String decision) {
        Double v = registry.getSampleValue("streamlearn_model_decisions_total", new String[] {"model", "decision"},
                new String[] {spec.name(), decision});
        return v == null ? 0 : v;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
