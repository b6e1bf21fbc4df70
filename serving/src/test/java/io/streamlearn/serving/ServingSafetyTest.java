package io.streamlearn.serving;

import static io.streamlearn.serving.ServingTestKit.announce;
import static io.streamlearn.serving.ServingTestKit.header;
import static io.streamlearn.serving.ServingTestKit.jsonRequest;
import static io.streamlearn.serving.ServingTestKit.publish;
import static io.streamlearn.serving.ServingTestKit.row;
import static io.streamlearn.serving.ServingTestKit.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.prometheus.client.CollectorRegistry;
import io.streamlearn.core.event.EventCodec;
import io.streamlearn.core.event.PlatformEvent;
import io.streamlearn.core.event.SnapshotRefusedEvent;
import io.streamlearn.core.example.DeadLetterHeaders;
import io.streamlearn.core.io.FileTrees;
import io.streamlearn.core.prediction.PredictionJsonCodec;
import io.streamlearn.core.snapshot.SnapshotManifest;
import io.streamlearn.core.snapshot.SnapshotStore;
import io.streamlearn.core.testkit.KafkaBrokerExtension;
import io.streamlearn.core.testkit.TopicReader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Serving's side of issue 12 on a real broker and store: poison manifests on the models topic never freeze serving
 * or keep a fresh instance from becoming ready, another store's snapshots are refused loudly, a request near the size
 * limit leaves as a capped dead letter, and the request consumer's lag is exported.
 */
class ServingSafetyTest extends ServingTestKit.OnEmbeddedBroker {
    @RegisterExtension
    static final KafkaBrokerExtension kafka = KafkaBrokerExtension.perClass();

    private static final long FAR_FUTURE = 1L << 62;

    ServingSafetyTest() {
        super(kafka);
    }

    private ServingConfig.Builder config() {
        return servingConfig().optMaxBatch(16).optTopK(3);
    }

    /** {@code m} as another publisher would announce it: another version and store id, same files. */
    private static SnapshotManifest copy(SnapshotManifest m, long version, String storeId) {
        return new SnapshotManifest(m.format(), m.model(), version, m.createdMs(), m.examplesSeen(), m.stepsSeen(),
                m.checkpointId(), m.parentVersion(), m.paramsFile(), m.paramsSha256(), m.engine(), m.device(),
                m.metrics(), m.source(), m.streamlearnVersion(), m.sourceOffsets(), m.files(), storeId, m.lineageId(),
                null);
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, ProducerRecord<byte[], byte[]> r) {
        producer.send(r);
        producer.flush();
    }

    private double foreignSnapshots(CollectorRegistry r) {
        Double v = r.getSampleValue("streamlearn_serving_foreign_snapshots_total");
        return v == null ? Double.NaN : v;
    }

    private List<SnapshotRefusedEvent> refusals(TopicReader events, int atLeast) {
        List<SnapshotRefusedEvent> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : events.awaitAtLeast(atLeast)) {
            PlatformEvent e = EventCodec.decode(r.value());
            if (e instanceof SnapshotRefusedEvent refused) {
                out.add(refused);
            }
        }
        return out;
    }

    @Test
    void keepsServingThroughPoisonManifestsAndFollowsTheNextGoodVersion() throws Exception {
        TopicReader events = kafka.reader(topics.events());
        TopicReader predictions = kafka.reader(topics.predictions());
        try (PredictionService service = new PredictionService(config().build(), registry);
                KafkaProducer<byte[], byte[]> producer = producer()) {
            SnapshotManifest v1 = startServing(service, producer);

            send(producer, new ProducerRecord<>(topics.models(), utf8("mlp"), utf8("{not a manifest")));
            send(producer, new ProducerRecord<>(topics.models(), utf8("mlp"),
                    new SnapshotManifest(v1.format(), "other", 7, 0, 0, 0, -1, 0, "other-0000.params", "00",
                            "PyTorch", "cpu", null, null).toJsonBytes()));
            announce(producer, topics, copy(v1, FAR_FUTURE, v1.storeId()));
            announce(producer, topics, copy(v1, 9, v1.storeId()));
            announce(producer, topics, copy(v1, 1, "a-re-created-store"));
            await().atMost(WAIT).until(() -> service.refusedSnapshots() == 5);
            assertThat(service.currentVersion()).as("v1 keeps serving").isEqualTo(1);

            SnapshotManifest v2 = publish(store, MLP);
            announce(producer, topics, v2);
            await().atMost(WAIT).until(() -> service.currentVersion() == 2);
            for (int i = 0; i < 10; i++) {
                producer.send(jsonRequest(topics, "r" + i, row(8, i)));
            }
            producer.flush();
            Set<Long> versions = new HashSet<>();
            for (ConsumerRecord<byte[], byte[]> r : predictions.awaitAtLeast(10)) {
                versions.add(PredictionJsonCodec.decode(r.value()).version());
            }
            assertThat(versions).containsExactly(2L);
            assertThat(service.refusedSnapshots()).isEqualTo(5);
            assertThat(service.swaps()).isEqualTo(2);
            assertThat(foreignSnapshots(registry)).isEqualTo(1.0);

            List<SnapshotRefusedEvent> refused = refusals(events, 5);
            assertThat(refused).hasSize(5).allMatch(e -> e.component().equals(PlatformEvent.SERVING))
                    .allMatch(e -> e.servingVersion() == 1);
            assertThat(refused).extracting(SnapshotRefusedEvent::version)
                    .containsExactlyInAnyOrder(0L, 7L, FAR_FUTURE, 9L, 1L);
            assertThat(refused).filteredOn(e -> e.version() == FAR_FUTURE).singleElement()
                    .extracting(SnapshotRefusedEvent::reason).asString().contains("does not exist");
            assertThat(refused).filteredOn(e -> e.version() == 1).singleElement()
                    .extracting(SnapshotRefusedEvent::reason).asString()
                    .contains("published by snapshot store a-re-created-store").contains("re-created");
        }
    }

    @Test
    void aFreshInstanceBecomesReadyWhenTheNewestManifestOnTheTopicIsPoison() throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            SnapshotManifest v1 = publish(store, MLP);
            SnapshotManifest v2 = publish(store, MLP);
            announce(producer, topics, v1);
            announce(producer, topics, v2);
            announce(producer, topics, copy(v2, FAR_FUTURE, v2.storeId()));
            send(producer, new ProducerRecord<>(topics.models(), utf8("mlp"), utf8("garbage")));
            try (PredictionService service = new PredictionService(config().build(), registry)) {
                service.start();
                await().atMost(WAIT).until(service::isReady);
                assertThat(service.currentVersion()).isEqualTo(2);
                assertThat(service.swaps()).as("v1 was superseded before it was tried").isEqualTo(1);
                assertThat(service.refusedSnapshots()).isEqualTo(2);
            }
        }
    }

    @Test
    void refusesTheSnapshotsOfARecreatedStoreLoudlyAndARestartFollowsTheNewStore() throws Exception {
        TopicReader events = kafka.reader(topics.events());
        try (PredictionService service = new PredictionService(config().build(), registry);
                KafkaProducer<byte[], byte[]> producer = producer()) {
            startServing(service, producer);
            SnapshotManifest v2 = publish(store, MLP);
            announce(producer, topics, v2);
            await().atMost(WAIT).until(() -> service.currentVersion() == 2);

            // An operator wipes the store; the trainer publishes into the new one, whose versions restart at 1.
            FileTrees.deleteRecursively(storeRoot);
            SnapshotStore recreated = new SnapshotStore(storeRoot);
            SnapshotManifest newV1 = publish(recreated, MLP);
            assertThat(newV1.version()).isEqualTo(1);
            assertThat(newV1.storeId()).isNotEqualTo(v2.storeId());
            announce(producer, topics, newV1);
            await().atMost(WAIT).until(() -> foreignSnapshots(registry) == 1.0);
            assertThat(service.currentVersion()).as("v2 of the old store keeps serving from memory").isEqualTo(2);
            assertThat(service.refusedSnapshots()).isEqualTo(1);
            assertThat(refusals(events, 1)).singleElement().satisfies(e -> {
                assertThat(e.version()).isEqualTo(1);
                assertThat(e.servingVersion()).isEqualTo(2);
                assertThat(e.reason()).contains(newV1.storeId()).contains(v2.storeId()).contains("re-created");
            });

            // A restarted instance reads the whole topic: the old store's v2 is refused, the new store's v1 serves.
            CollectorRegistry restartedRegistry = new CollectorRegistry();
            try (PredictionService restarted = new PredictionService(config().optGroupId(group + "-restarted").build(),
                    restartedRegistry)) {
                restarted.start();
                await().atMost(WAIT).until(restarted::isReady);
                assertThat(restarted.currentVersion()).isEqualTo(1);
                assertThat(foreignSnapshots(restartedRegistry)).isEqualTo(1.0);
            }
        }
    }

    @Test
    void capsTheDeadLetterOfARequestNearTheSizeLimitAndMovesOn() throws Exception {
        TopicReader dlq = kafka.reader(topics.predictionsDlq());
        // The request is within the broker's limit but above serving's producer's: a full copy could not be sent.
        int maxRequest = 200_000;
        ServingConfig config = config().optKafkaOverrides(Map.of(ProducerConfig.MAX_REQUEST_SIZE_CONFIG,
                Integer.toString(maxRequest))).build();
        try (PredictionService service = new PredictionService(config, registry);
                KafkaProducer<byte[], byte[]> producer = producer()) {
            startServing(service, producer);
            byte[] huge = new byte[300_000];
            Arrays.fill(huge, (byte) 'x');
            producer.send(new ProducerRecord<>(topics.requests(), utf8("huge"), huge));
            for (int i = 0; i < 5; i++) {
                producer.send(jsonRequest(topics, "good" + i, row(8, i)));
            }
            producer.flush();

            await().atMost(WAIT).until(() -> service.served() == 5 && service.rejected() == 1);
            ConsumerRecord<byte[], byte[]> letter = dlq.awaitAtLeast(1).get(0);
            int cap = maxRequest - 64 * 1024;
            assertThat(letter.value()).hasSize(cap).containsOnly((byte) 'x');
            assertThat(header(letter, DeadLetterHeaders.ORIGINAL_BYTES)).isEqualTo("300000");
            assertThat(header(letter, DeadLetterHeaders.ORIGINAL_SHA256)).isEqualTo(SnapshotStore.sha256(huge));
            assertThat(header(letter, DeadLetterHeaders.REASON)).startsWith("undecodable request: ")
                    .endsWith("(original 300000 bytes, the first " + cap + " kept)");
            assertThat(header(letter, DeadLetterHeaders.SOURCE)).matches(topics.requests() + "/[01]/[0-9]+");
        }
    }

    @Test
    void exportsTheRequestConsumersLag() throws Exception {
        try (PredictionService service = new PredictionService(config().build(), registry);
                KafkaProducer<byte[], byte[]> producer = producer()) {
            startServing(service, producer);
            for (int i = 0; i < 50; i++) {
                producer.send(jsonRequest(topics, "r" + i, row(8, i)));
            }
            producer.flush();
            await().atMost(WAIT).until(() -> service.served() == 50);
            String[] labels = {"component", "client_id", "topic"};
            String[] values = {"serving", "streamlearn-serving-requests-mlp", topics.requests()};
            // records-lag is measured at each fetch: after the last batch it settles at 0 for the drained partitions.
            await().atMost(WAIT).until(() -> Double.valueOf(0.0)
                    .equals(registry.getSampleValue("streamlearn_kafka_consumer_lag_records", labels, values)));
            assertThat(registry.getSampleValue("streamlearn_kafka_consumer_lag_max_records",
                    new String[] {"component", "client_id"}, new String[] {"serving", "streamlearn-serving-requests-mlp"}))
                    .isNotNull().isGreaterThanOrEqualTo(0.0);
        }
        assertThat(registry.getSampleValue("streamlearn_kafka_consumer_lag_records",
                new String[] {"component", "client_id", "topic"},
                new String[] {"serving", "streamlearn-serving-requests-mlp", topics.requests()}))
                .as("unregistered with the service").isNull();
    }
}
