package io.streamlearn.serving;

import static io.streamlearn.serving.ServingTestKit.announce;
import static io.streamlearn.serving.ServingTestKit.header;
import static io.streamlearn.serving.ServingTestKit.jsonRequest;
import static io.streamlearn.serving.ServingTestKit.publish;
import static io.streamlearn.serving.ServingTestKit.row;
import static io.streamlearn.serving.ServingTestKit.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamlearn.core.example.ContentTypes;
import io.streamlearn.core.example.Example;
import io.streamlearn.core.example.Features;
import io.streamlearn.core.example.Json;
import io.streamlearn.core.prediction.Prediction;
import io.streamlearn.core.prediction.PredictionJsonCodec;
import io.streamlearn.core.snapshot.SnapshotException;
import io.streamlearn.core.snapshot.SnapshotManifest;
import io.streamlearn.core.testkit.ExampleRecords;
import io.streamlearn.core.testkit.KafkaBrokerExtension;
import io.streamlearn.core.testkit.TopicReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The service against a real embedded broker, real DJL snapshots and a real snapshot store. */
class PredictionServiceTest extends ServingTestKit.OnEmbeddedBroker {
    @RegisterExtension
    static final KafkaBrokerExtension kafka = KafkaBrokerExtension.perClass();

    PredictionServiceTest() {
        super(kafka);
    }

    private ServingConfig.Builder config() {
        return servingConfig().optMaxBatch(16).optTopK(3);
    }

    @Test
    void answersEveryRequestWithAPredictionNamingThePublishedVersion() throws Exception {
        SnapshotManifest v1 = publish(store, MLP);
        TopicReader predictions = kafka.reader(topics.predictions());
        try (PredictionService service = new PredictionService(config().build(), registry);
                KafkaProducer<byte[], byte[]> producer = producer()) {
            service.start();
            Set<String> sent = new HashSet<>();
            for (int i = 0; i < 100; i++) {
                producer.send(jsonRequest(topics, "r" + i, row(8, i)));
                sent.add("r" + i);
            }
            producer.flush();
            // Requests wait in Kafka until a model exists.
            assertThat(service.isReady()).isFalse();
            assertThat(service.currentVersion()).isZero();

            announce(producer, topics, v1);
            await().atMost(WAIT).until(service::isReady);
            assertThat(service.currentVersion()).isEqualTo(1);

            List<ConsumerRecord<byte[], byte[]>> out = predictions.awaitAtLeast(100);
            Set<String> answered = new HashSet<>();
            for (ConsumerRecord<byte[], byte[]> r : out) {
                Prediction p = PredictionJsonCodec.decode(r.value());
                answered.add(p.id());
                assertThat(p.model()).isEqualTo("mlp");
                assertThat(p.version()).isEqualTo(1);
                assertThat(p.scores()).hasSize(3);
                assertThat(p.label()).isEqualTo(p.scores().get(0).label()).isBetween(0, 3);
                assertThat(p.latencyMs()).isGreaterThanOrEqualTo(0f);
                assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo(p.id());
                assertThat(header(r, "content-type")).isEqualTo("application/json");
                assertThat(header(r, "correlation-id")).isEqualTo(p.id());
                assertThat(header(r, "model-version")).isEqualTo("1");
            }
            assertThat(answered).isEqualTo(sent);

            await().atMost(WAIT).until(() -> service.served() == 100);
            assertThat(service.rejected()).isZero();
            assertThat(service.swaps()).isEqualTo(1);
            // Committed (asynchronously) only after the predictions were acknowledged.
            await().atMost(WAIT).until(() -> committedOffsets() == 100);

            assertThat(registry.getSampleValue("streamlearn_serving_requests_total", new String[] {"outcome"},
                    new String[] {"served"})).isEqualTo(100.0);
            assertThat(registry.getSampleValue("streamlearn_model_version")).isEqualTo(1.0);
            assertThat(registry.getSampleValue("streamlearn_serving_swaps_total")).isEqualTo(1.0);
            assertThat(registry.getSampleValue("streamlearn_serving_refused_snapshots_total")).isEqualTo(0.0);
            assertThat(registry.getSampleValue("streamlearn_serving_latency_seconds_count")).isEqualTo(100.0);
            assertThat(registry.getSampleValue("streamlearn_serving_batch_size_sum")).isEqualTo(100.0);
            assertThat(registry.getSampleValue("streamlearn_serving_batch_size_count")).isBetween(7.0, 100.0);
        }
        assertThat(registry.metricFamilySamples().hasMoreElements()).as("metrics unregistered on close").isFalse();
    }

    @Test
    void refusesSnapshotWithCorruptedParametersAndKeepsServingThePreviousVersion() throws Exception {
        TopicReader events = kafka.reader(topics.events());
        TopicReader predictions = kafka.reader(topics.predictions());
        try (PredictionService service = new PredictionService(config().build(), registry);
                KafkaProducer<byte[], byte[]> producer = producer()) {
            startServing(service, producer);

            SnapshotManifest v2 = publish(store, MLP);
            ServingTestKit.corruptParams(store, v2);
            announce(producer, topics, v2);
            await().atMost(WAIT).until(() -> service.refusedSnapshots() == 1);
            assertThat(service.currentVersion()).isEqualTo(1);
            assertThat(service.swaps()).isEqualTo(1);
            assertThat(registry.getSampleValue("streamlearn_serving_refused_snapshots_total")).isEqualTo(1.0);

            ConsumerRecord<byte[], byte[]> event = events.awaitAtLeast(1).get(0);
            JsonNode e = Json.MAPPER.readTree(event.value());
            assertThat(e.path("type").asText()).isEqualTo("snapshot_refused");
            assertThat(e.path("model").asText()).isEqualTo("mlp");
            assertThat(e.path("version").asLong()).isEqualTo(2);
            assertThat(e.path("component").asText()).isEqualTo("serving");
            assertThat(e.path("reason").asText()).contains("sha256").contains("mlp v2");
            assertThat(new String(event.key(), StandardCharsets.UTF_8)).isEqualTo("mlp");

            for (int i = 0; i < 20; i++) {
                producer.send(jsonRequest(topics, "r" + i, row(8, i)));
            }
            producer.flush();
            for (ConsumerRecord<byte[], byte[]> r : predictions.awaitAtLeast(20)) {
                assertThat(PredictionJsonCodec.decode(r.value()).version()).isEqualTo(1);
            }

            // A refused version does not block the next good one.
            SnapshotManifest v3 = publish(store, MLP);
            announce(producer, topics, v3);
            await().atMost(WAIT).until(() -> service.currentVersion() == 3);
            assertThat(service.refusedSnapshots()).isEqualTo(1);
            assertThat(service.swaps()).isEqualTo(2);
        }
    }

    @Test
    void routesBadRequestsToTheDeadLetterTopicWithReasonsAndKeepsServing() throws Exception {
        TopicReader dlq = kafka.reader(topics.predictionsDlq());
        TopicReader predictions = kafka.reader(topics.predictions());
        try (PredictionService service = new PredictionService(config().build(), registry);
                KafkaProducer<byte[], byte[]> producer = producer()) {
            startServing(service, producer);

            List<ProducerRecord<byte[], byte[]>> requests = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                requests.add(jsonRequest(topics, "good" + i, row(8, i)));
            }
            requests.add(new ProducerRecord<>(topics.requests(), utf8("garbage"), utf8("not a request")));
            requests.add(jsonRequest(topics, "short", row(7, 1)));
            float[] nan = row(8, 3);
            nan[4] = Float.NaN;
            requests.add(ExampleRecords.binary(topics.requests(), Example.request("nan", Features.ofFloats(nan))));
            requests.add(new ProducerRecord<>(topics.requests(), utf8("empty"), null));
            RecordHeaders text = new RecordHeaders();
            text.add(ContentTypes.HEADER, utf8("text/plain"));
            requests.add(new ProducerRecord<>(topics.requests(), null, utf8("text"), utf8("{\"id\":\"text\"}"), text));
            for (int i = 10; i < 20; i++) {
                requests.add(jsonRequest(topics, "good" + i, row(8, i)));
            }
            for (ProducerRecord<byte[], byte[]> r : requests) {
                producer.send(r);
            }
            producer.flush();

            await().atMost(WAIT).until(() -> service.served() + service.rejected() == requests.size());
            assertThat(service.served()).isEqualTo(20);
            assertThat(service.rejected()).isEqualTo(5);
            assertThat(registry.getSampleValue("streamlearn_serving_requests_total", new String[] {"outcome"},
                    new String[] {"rejected"})).isEqualTo(5.0);

            Map<String, String> reasons = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> r : dlq.awaitAtLeast(5)) {
                String key = new String(r.key(), StandardCharsets.UTF_8);
                reasons.put(key, header(r, "streamlearn.error.reason"));
                assertThat(header(r, "streamlearn.error.source")).matches(topics.requests() + "/[01]/[0-9]+");
                ProducerRecord<byte[], byte[]> original = requests.stream()
                        .filter(q -> key.equals(new String(q.key(), StandardCharsets.UTF_8))).findFirst().orElseThrow();
                assertThat(r.value()).as("original bytes of %s", key).isEqualTo(original.value());
            }
            assertThat(reasons).containsOnlyKeys("garbage", "short", "nan", "empty", "text");
            assertThat(reasons.get("garbage")).startsWith("undecodable request: ");
            assertThat(reasons.get("short")).isEqualTo("short: feature count 7, expected 8 for model mlp v1");
            assertThat(reasons.get("nan")).isEqualTo("nan: non-finite feature value NaN at index 4");
            assertThat(reasons.get("empty")).isEqualTo("empty request: the record has no value");
            assertThat(reasons.get("text")).contains("unsupported content-type 'text/plain'");

            Set<String> answered = new HashSet<>();
            for (ConsumerRecord<byte[], byte[]> r : predictions.awaitAtLeast(20)) {
                answered.add(PredictionJsonCodec.decode(r.value()).id());
            }
            assertThat(answered).hasSize(20).allMatch(id -> id.startsWith("good"));
            assertThat(service.isReady()).isTrue();
        }
    }

    @Test
    void hotSwapsToANewVersionWhileRequestsFlow() throws Exception {
        TopicReader predictions = kafka.reader(topics.predictions());
        try (PredictionService service = new PredictionService(config().optMaxWaitMicros(500).build(), registry);
                KafkaProducer<byte[], byte[]> producer = producer()) {
            startServing(service, producer);

            AtomicInteger next = new AtomicInteger();
            Runnable sendSome = () -> {
                for (int i = 0; i < 10; i++) {
                    int n = next.getAndIncrement();
                    producer.send(jsonRequest(topics, "r" + n, row(8, n)));
                }
                producer.flush();
            };
            for (int i = 0; i < 10; i++) {
                sendSome.run();
            }
            announce(producer, topics, publish(store, MLP));
            // Requests keep flowing until the swap is observed.
            await().atMost(WAIT).pollInSameThread().pollInterval(Duration.ofMillis(5)).until(() -> {
                sendSome.run();
                return service.currentVersion() == 2;
            });
            int firstAfterSwap = next.get();
            for (int i = 0; i < 10; i++) {
                sendSome.run();
            }
            int sent = next.get();

            List<ConsumerRecord<byte[], byte[]>> out = predictions.awaitAtLeast(sent);
            assertThat(out).hasSize(sent);
            Map<Integer, Long> lastVersionByPartition = new HashMap<>();
            Set<Long> versions = new HashSet<>();
            Set<String> ids = new HashSet<>();
            for (ConsumerRecord<byte[], byte[]> r : out) {
                Prediction p = PredictionJsonCodec.decode(r.value());
                ids.add(p.id());
                versions.add(p.version());
                assertThat(p.version()).isIn(1L, 2L);
                long previous = lastVersionByPartition.getOrDefault(r.partition(), 0L);
                assertThat(p.version()).as("versions never go back within a partition").isGreaterThanOrEqualTo(previous);
                lastVersionByPartition.put(r.partition(), p.version());
                if (Integer.parseInt(p.id().substring(1)) >= firstAfterSwap) {
                    assertThat(p.version()).as("%s was sent after the swap", p.id()).isEqualTo(2);
                }
            }
            assertThat(ids).hasSize(sent);
            assertThat(versions).containsExactlyInAnyOrder(1L, 2L);
            assertThat(service.swaps()).isEqualTo(2);
            assertThat(service.refusedSnapshots()).isZero();
            await().atMost(WAIT).until(() -> service.served() == sent);
        }
    }

    @Test
    void servesOnlyThePinnedVersionFromTheStore() throws Exception {
        SnapshotManifest v1 = publish(store, MLP);
        SnapshotManifest v2 = publish(store, MLP);
        TopicReader predictions = kafka.reader(topics.predictions());
        try (PredictionService service = new PredictionService(config().optPinVersion(1).build(), registry);
                KafkaProducer<byte[], byte[]> producer = producer()) {
            announce(producer, topics, v2);
            service.start();
            assertThat(service.currentVersion()).as("loaded before start returns").isEqualTo(v1.version());
            await().atMost(WAIT).until(service::isReady);
            for (int i = 0; i < 10; i++) {
                producer.send(jsonRequest(topics, "r" + i, row(8, i)));
            }
            producer.flush();
            for (ConsumerRecord<byte[], byte[]> r : predictions.awaitAtLeast(10)) {
                assertThat(PredictionJsonCodec.decode(r.value()).version()).isEqualTo(1);
            }
            assertThat(service.currentVersion()).isEqualTo(1);
            assertThat(service.swaps()).isEqualTo(1);
        }
    }

    @Test
    void refusesToStartWithAPinnedVersionThatIsNotInTheStore() {
        publish(store, MLP);
        PredictionService service = new PredictionService(config().optPinVersion(5).build(), registry);
        try (service) {
            assertThatThrownBy(service::start)
                    .isInstanceOf(SnapshotException.class)
                    .hasMessageContaining("pinned version 5")
                    .hasMessageContaining("unset pinVersion");
            assertThat(service.refusedSnapshots()).isEqualTo(1);
            assertThat(service.isReady()).isFalse();
        }
    }
}
