package io.streamlearn.serving;

import static io.streamlearn.serving.ServingTestKit.announce;
import static io.streamlearn.serving.ServingTestKit.initializedModel;
import static io.streamlearn.serving.ServingTestKit.jsonRequest;
import static io.streamlearn.serving.ServingTestKit.paramsOf;
import static io.streamlearn.serving.ServingTestKit.probabilities;
import static io.streamlearn.serving.ServingTestKit.promote;
import static io.streamlearn.serving.ServingTestKit.publish;
import static io.streamlearn.serving.ServingTestKit.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.djl.Model;
import io.prometheus.client.CollectorRegistry;
import io.streamlearn.core.prediction.Prediction;
import io.streamlearn.core.prediction.PredictionJsonCodec;
import io.streamlearn.core.snapshot.ModelRefusal;
import io.streamlearn.core.snapshot.SnapshotManifest;
import io.streamlearn.core.testkit.KafkaBrokerExtension;
import io.streamlearn.core.testkit.TopicReader;
import io.streamlearn.serving.model.ChallengerRule;
import io.streamlearn.serving.model.ChallengerRule.Mode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Champion and challenger on a real embedded broker with real DJL snapshots (issue 15, item 3): in shadow mode the
 * champion answers and the challenger scores every request onto predictions.shadow until a promotion; in canary mode
 * the challenger answers exactly its share of the request ids; after a rollback new versions enter as challengers.
 */
class ChallengerServingTest extends ServingTestKit.OnEmbeddedBroker {
    @RegisterExtension
    static final KafkaBrokerExtension kafka = KafkaBrokerExtension.perClass();

    /** The answers and the other model's scores, read from the beginning of this test's topics. */
    private TopicReader predictions;
    private TopicReader shadow;

    ChallengerServingTest() {
        super(kafka);
    }

    @BeforeEach
    void readBothPredictionTopics() {
        predictions = kafka.reader(topics.predictions());
        shadow = kafka.reader(topics.shadowPredictions());
    }

    private PredictionService service(Mode mode, double share) {
        return service(mode, share, false);
    }

    private PredictionService service(Mode mode, double share, boolean exactlyOnce) {
        return new PredictionService(servingConfig().optMaxBatch(32).optMaxWaitMicros(1_000)
                .optExactlyOnce(exactlyOnce).optHttpAddress("127.0.0.1", 0)
                .optChallenger(new ChallengerRule(mode, share)).build(), registry);
    }

    /** GET or POST ({@code body} non-null) on the service's HTTP endpoint; returns the body, checking status 200. */
    private static String http(PredictionService service, String path, String body) throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + service.httpAddress().orElseThrow().getPort() + path);
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30));
        if (body != null) {
            request.POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json");
        }
        HttpResponse<String> response = HttpClient.newHttpClient().send(request.build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("%s answered %s", path, response.body()).isEqualTo(200);
        return response.body();
    }

    /** Sends requests {@code prefix}0 .. {@code prefix}(n-1), the features of each from its index; returns the ids. */
    private List<String> sendRequests(KafkaProducer<byte[], byte[]> producer, String prefix, int n) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            producer.send(jsonRequest(topics, prefix + i, row(8, i)));
            ids.add(prefix + i);
        }
        producer.flush();
        return ids;
    }

    /** The predictions of {@code records} by request id; fails on a second prediction of one id. */
    private static Map<String, Prediction> byId(List<ConsumerRecord<byte[], byte[]>> records) {
        Map<String, Prediction> out = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            Prediction p = PredictionJsonCodec.decode(r.value());
            assertThat(out.put(p.id(), p)).as("one prediction of %s", p.id()).isNull();
        }
        return out;
    }

    private static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }

    private double metric(String name) {
        Double v = registry.getSampleValue(name);
        return v == null ? 0 : v;
    }

    @Test
    void inShadowModeTheChampionAnswersTheChallengerScoresEveryRequestAndAPromotionSwitchesThem() throws Exception {
        try (Model champion = initializedModel(MLP); Model challenger = initializedModel(MLP);
                PredictionService service = service(Mode.SHADOW, 0.1);
                KafkaProducer<byte[], byte[]> producer = producer()) {
            SnapshotManifest v1 = publish(store, MLP, paramsOf(champion));
            SnapshotManifest v2 = publish(store, MLP, paramsOf(challenger));
            service.start();
            announce(producer, topics, v1);
            announce(producer, topics, v2);
            await().atMost(WAIT).until(() -> service.challengerVersion() == 2);
            assertThat(service.currentVersion()).as("a new version does not answer before its promotion").isEqualTo(1);
            assertThat(http(service, "/readyz", null)).isEqualTo("ready: mlp v1, challenger v2 (shadow)\n");
            String httpAnswer = http(service, "/v1/predict", new String(jsonRequest(topics, "h0", row(8, 0)).value(),
                    StandardCharsets.UTF_8));
            assertThat(PredictionJsonCodec.decode(httpAnswer.getBytes(StandardCharsets.UTF_8)).version())
                    .as("HTTP answers by the champion").isEqualTo(1);

            List<String> ids = sendRequests(producer, "s", 60);
            Map<String, Prediction> answers = byId(predictions.readExactly(60));
            Map<String, Prediction> shadows = byId(shadow.readExactly(60));
            assertThat(answers.keySet()).containsExactlyInAnyOrderElementsOf(ids);
            assertThat(shadows.keySet()).as("the challenger scored every request").isEqualTo(answers.keySet());
            for (int i = 0; i < ids.size(); i++) {
                Prediction answer = answers.get(ids.get(i));
                Prediction score = shadows.get(ids.get(i));
                assertThat(answer.version()).isEqualTo(1);
                assertThat(answer.label()).isEqualTo(argmax(probabilities(champion, row(8, i))));
                assertThat(score.version()).isEqualTo(2);
                assertThat(score.label()).isEqualTo(argmax(probabilities(challenger, row(8, i))));
            }
            await().atMost(WAIT).until(() -> metric("streamlearn_serving_shadow_predictions_total") == 60);
            assertThat(metric("streamlearn_model_version")).isEqualTo(1);
            assertThat(metric("streamlearn_serving_challenger_version")).isEqualTo(2);
            assertThat(metric("streamlearn_serving_canary_answers_total")).isZero();
            assertThat(metric("streamlearn_serving_challenger_errors_total")).isZero();

            promote(producer, topics, v2);
            await().atMost(WAIT).until(() -> service.currentVersion() == 2 && service.challengerVersion() == 0);
            List<String> after = sendRequests(producer, "p", 20);
            Map<String, Prediction> promoted = byId(predictions.readExactly(80));
            for (String id : after) {
                assertThat(promoted.get(id).version()).as("the promoted version answers").isEqualTo(2);
            }
            assertThat(shadow.readToEnd()).as("no challenger runs after its promotion").hasSize(60);
            assertThat(service.swaps()).as("v1, then v2 moved from the challenger's slot").isEqualTo(2);
            assertThat(metric("streamlearn_serving_challenger_version")).isZero();
            assertThat(http(service, "/readyz", null)).isEqualTo("ready: mlp v2\n");

            SnapshotManifest v3 = publish(store, MLP);
            announce(producer, topics, v3);
            await().atMost(WAIT).until(() -> service.challengerVersion() == 3);
            assertThat(service.currentVersion()).isEqualTo(2);
            assertThat(service.rejected()).isZero();
            assertThat(service.failure()).isEmpty();
        }
    }

    /** Exactly-once too: the shadow predictions go beside the answers' transaction, never into it. */
    @ParameterizedTest(name = "exactlyOnce={0}")
    @ValueSource(booleans = {false, true})
    void inCanaryModeTheChallengerAnswersExactlyTheRequestsWhoseIdHashFallsInItsShare(boolean exactlyOnce)
            throws Exception {
        double share = 0.3;
        try (PredictionService service = service(Mode.CANARY, share, exactlyOnce);
                KafkaProducer<byte[], byte[]> producer = producer()) {
            startServing(service, producer);
            SnapshotManifest v2 = publish(store, MLP);
            announce(producer, topics, v2);
            await().atMost(WAIT).until(() -> service.challengerVersion() == 2);

            List<String> ids = sendRequests(producer, "c", 300);
            // The rule as docs/serving.md states it: murmur2 of the id's UTF-8 bytes, positive, mod 10000, < share.
            Set<String> canary = new HashSet<>();
            for (String id : ids) {
                if (Utils.toPositive(Utils.murmur2(id.getBytes(StandardCharsets.UTF_8))) % 10_000 < share * 10_000) {
                    canary.add(id);
                }
            }
            assertThat(canary.size()).as("a share of 300 ids").isBetween(50, 130);

            Map<String, Prediction> answers = byId(predictions.readExactly(300));
            Map<String, Prediction> shadows = byId(shadow.readExactly(300));
            Set<String> answeredByChallenger = new HashSet<>();
            for (String id : ids) {
                long answeredBy = answers.get(id).version();
                if (answeredBy == 2) {
                    answeredByChallenger.add(id);
                }
                assertThat(shadows.get(id).version()).as("the other model scored %s", id).isEqualTo(3 - answeredBy);
            }
            assertThat(answeredByChallenger).isEqualTo(canary);
            await().atMost(WAIT).until(() -> metric("streamlearn_serving_shadow_predictions_total") == 300);
            assertThat(metric("streamlearn_serving_canary_answers_total")).isEqualTo(canary.size());
            assertThat(service.served()).isEqualTo(300);
            assertThat(service.currentVersion()).isEqualTo(1);
        }
    }

    /** The monitor's refusal record (own key, on a topic of two partitions) takes a canary out, for good. */
    @Test
    void aRefusedCanaryStopsAtOnceAndIsNeverTakenAgainAlsoAfterARestart() throws Exception {
        try (PredictionService service = service(Mode.CANARY, 0.5);
                KafkaProducer<byte[], byte[]> producer = producer()) {
            startServing(service, producer);
            SnapshotManifest v2 = publish(store, MLP);
            announce(producer, topics, v2);
            await().atMost(WAIT).until(() -> service.challengerVersion() == 2);

            producer.send(ModelRefusal.record(topics, v2, System.currentTimeMillis()));
            producer.flush();
            await().atMost(WAIT).until(() -> service.challengerVersion() == 0);
            assertThat(service.currentVersion()).as("the champion is untouched").isEqualTo(1);
            List<String> ids = sendRequests(producer, "r", 40);
            Map<String, Prediction> answers = byId(predictions.readExactly(40));
            for (String id : ids) {
                assertThat(answers.get(id).version()).as("%s answered by the champion", id).isEqualTo(1);
            }
            assertThat(shadow.readToEnd()).as("nothing scored beside it").isEmpty();

            // Announced again and read by a restarted instance (its own group: it answers the 40 requests again),
            // which reads the whole topic before installing: v2 stays out.
            announce(producer, topics, v2);
            CollectorRegistry restartedMetrics = new CollectorRegistry();
            try (PredictionService restarted = new PredictionService(servingConfig().optGroupId(group + "-restarted")
                    .optChallenger(new ChallengerRule(Mode.CANARY, 0.5)).build(), restartedMetrics)) {
                restarted.start();
                await().atMost(WAIT).until(() -> restarted.isReady() && restarted.currentVersion() == 1);
                assertThat(predictions.readExactly(80).subList(40, 80)).allSatisfy(r -> assertThat(
                        PredictionJsonCodec.decode(r.value()).version()).isEqualTo(1));
                assertThat(restarted.challengerVersion()).isZero();
                assertThat(shadow.readToEnd()).isEmpty();
                SnapshotManifest v3 = publish(store, MLP);
                announce(producer, topics, v3);
                await().atMost(WAIT).until(() -> service.challengerVersion() == 3
                        && restarted.challengerVersion() == 3);
                assertThat(service.currentVersion()).isEqualTo(1);
                assertThat(restarted.currentVersion()).isEqualTo(1);
            }
            assertThat(metric("streamlearn_serving_canary_answers_total")).isZero();
        }
    }

    @Test
    void afterARollbackNewVersionsEnterAsChallengersEvenWithTheRuleOffAndARestartKeepsThem() throws Exception {
        try (PredictionService service = service(Mode.OFF, 0.1);
                KafkaProducer<byte[], byte[]> producer = producer()) {
            SnapshotManifest v1 = startServing(service, producer);
            SnapshotManifest v2 = publish(store, MLP);
            announce(producer, topics, v2);
            await().atMost(WAIT).until(() -> service.currentVersion() == 2);
            assertThat(service.challengerVersion()).as("rule off: a new version answers at once").isZero();

            promote(producer, topics, v1);
            await().atMost(WAIT).until(() -> service.currentVersion() == 1);
            SnapshotManifest v3 = publish(store, MLP);
            announce(producer, topics, v3);
            await().atMost(WAIT).until(() -> service.challengerVersion() == 3);
            assertThat(service.currentVersion()).as("the next publish does not undo the rollback").isEqualTo(1);

            List<String> ids = sendRequests(producer, "b", 40);
            Map<String, Prediction> answers = byId(predictions.readExactly(40));
            Map<String, Prediction> shadows = byId(shadow.readExactly(40));
            for (String id : ids) {
                assertThat(answers.get(id).version()).isEqualTo(1);
                assertThat(shadows.get(id).version()).as("off mode runs a post-rollback challenger in shadow")
                        .isEqualTo(3);
            }

            // A restarted instance re-derives both from the models topic.
            try (PredictionService restarted = new PredictionService(servingConfig().optGroupId(group + "-restarted")
                    .build(), new CollectorRegistry())) {
                restarted.start();
                await().atMost(WAIT).until(() -> restarted.isReady() && restarted.challengerVersion() == 3);
                assertThat(restarted.currentVersion()).isEqualTo(1);
            }

            promote(producer, topics, v3);
            await().atMost(WAIT).until(() -> service.currentVersion() == 3 && service.challengerVersion() == 0);
            SnapshotManifest v4 = publish(store, MLP);
            announce(producer, topics, v4);
            await().atMost(WAIT).until(() -> service.currentVersion() == 4);
            assertThat(service.challengerVersion()).as("the newest was promoted: rule off serves at once again")
                    .isZero();
        }
    }
}
