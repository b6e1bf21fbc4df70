package io.streamlearn.serving;

import static io.streamlearn.serving.ServingTestKit.announce;
import static io.streamlearn.serving.ServingTestKit.initializedModel;
import static io.streamlearn.serving.ServingTestKit.paramsOf;
import static io.streamlearn.serving.ServingTestKit.promote;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.djl.Model;
import io.prometheus.client.CollectorRegistry;
import io.streamlearn.core.event.EventCodec;
import io.streamlearn.core.event.SnapshotRefusedEvent;
import io.streamlearn.core.snapshot.ManifestSignature;
import io.streamlearn.core.snapshot.ModelRefusal;
import io.streamlearn.core.snapshot.SnapshotDraft;
import io.streamlearn.core.snapshot.SnapshotManifest;
import io.streamlearn.core.snapshot.SnapshotStore;
import io.streamlearn.core.testkit.KafkaBrokerExtension;
import io.streamlearn.core.testkit.TopicReader;
import io.streamlearn.serving.model.ChallengerRule;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Which manifests serving trusts, on a real broker and store: a second lineage publishing the same model is refused
 * loudly until an operator promotes it, and with a verify key only manifests signed by its private key are served.
 */
class ManifestTrustTest extends ServingTestKit.OnEmbeddedBroker {
    @RegisterExtension
    static final KafkaBrokerExtension kafka = KafkaBrokerExtension.perClass();

    ManifestTrustTest() {
        super(kafka);
    }

    /** Publishes a new version of {@link #MLP} under {@code lineage}, signed with {@code key} (null: unsigned). */
    private SnapshotManifest publish(String lineage, PrivateKey key) {
        try (Model model = initializedModel(MLP)) {
            return new SnapshotStore(storeRoot, Clock.systemUTC(), key).publish(new SnapshotDraft(MLP, paramsOf(model),
                    1000, 10, -1, store.latestVersion(MLP.name()), "PyTorch", "cpu", Map.of(), Map.of("topic", "t"),
                    null, null, lineage));
        }
    }

    /** Starts {@code service} on {@code first}, announced, and waits until it serves. */
    private void start(PredictionService service, KafkaProducer<byte[], byte[]> producer, SnapshotManifest first) {
        service.start();
        announce(producer, topics, first);
        await().atMost(WAIT).until(service::isReady);
    }

    private static double counter(CollectorRegistry r, String name) {
        Double v = r.getSampleValue(name);
        return v == null ? 0 : v;
    }

    private static List<SnapshotRefusedEvent> refusals(TopicReader events, int count) {
        return events.awaitAtLeast(count).stream().map(ConsumerRecord::value).map(EventCodec::decode)
                .filter(SnapshotRefusedEvent.class::isInstance).map(SnapshotRefusedEvent.class::cast).toList();
    }

    /** A key file as an operator writes it (PEM), read back as serving and the trainer read theirs. */
    private Path keyFile(String name, java.security.Key key) throws Exception {
        return Files.writeString(storeRoot.resolveSibling(storeRoot.getFileName() + "-" + name + ".pem"),
                ManifestSignature.pem(key));
    }

    @Test
    void keepsTheFirstLineageRefusesASecondOneLoudlyAndFollowsItAfterAPromotion() throws Exception {
        TopicReader events = kafka.reader(topics.events());
        try (PredictionService service = new PredictionService(servingConfig().build(), registry);
                KafkaProducer<byte[], byte[]> producer = producer()) {
            start(service, producer, publish("lineage-a", null));

            // A second trainer of the same model (or a --fresh restart) publishes into the same store.
            SnapshotManifest b2 = publish("lineage-b", null);
            announce(producer, topics, b2);
            await().atMost(WAIT).until(() -> counter(registry, "streamlearn_serving_foreign_snapshots_total") == 1);
            assertThat(service.currentVersion()).as("the first lineage keeps serving").isEqualTo(1);
            assertThat(refusals(events, 1)).singleElement().satisfies(e -> {
                assertThat(e.version()).isEqualTo(2);
                assertThat(e.servingVersion()).isEqualTo(1);
                assertThat(e.reason()).contains("lineage-b").contains("lineage-a").contains("--fresh")
                        .contains("models promote 2");
            });

            SnapshotManifest a3 = publish("lineage-a", null);
            announce(producer, topics, a3);
            await().atMost(WAIT).until(() -> service.currentVersion() == 3);

            promote(producer, topics, b2);
            await().atMost(WAIT).until(() -> service.currentVersion() == 2);
            SnapshotManifest b4 = publish("lineage-b", null);
            announce(producer, topics, b4);
            await().atMost(WAIT).until(() -> service.currentVersion() == 4);
            SnapshotManifest a5 = publish("lineage-a", null);
            announce(producer, topics, a5);
            await().atMost(WAIT).until(() -> counter(registry, "streamlearn_serving_foreign_snapshots_total") == 2);
            assertThat(service.currentVersion()).as("after the promotion the old lineage is the foreign one")
                    .isEqualTo(4);
            assertThat(service.refusedSnapshots()).isEqualTo(2);
        }
    }

    @Test
    void withAVerifyKeyOnlyASignedRefusalTakesAChallengerOut() throws Exception {
        KeyPair trusted = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        ServingConfig config = servingConfig().optVerifyKey(trusted.getPublic())
                .optChallenger(new ChallengerRule(ChallengerRule.Mode.CANARY, 0.5)).build();
        try (PredictionService service = new PredictionService(config, registry);
                KafkaProducer<byte[], byte[]> producer = producer()) {
            SnapshotManifest v1 = publish("lineage", trusted.getPrivate());
            SnapshotManifest v2 = publish("lineage", trusted.getPrivate());
            // An unsigned refusal of v2 already on the topic, read with the rest of the history before serving
            // installs anything: were it followed, v2 would never challenge.
            producer.send(ModelRefusal.record(topics, v2.withSignature(null), System.currentTimeMillis()));
            announce(producer, topics, v1);
            announce(producer, topics, v2);
            service.start();
            await().atMost(WAIT).until(() -> service.currentVersion() == 1 && service.challengerVersion() == 2);

            producer.send(ModelRefusal.record(topics, v2, System.currentTimeMillis()));
            producer.flush();
            await().atMost(WAIT).until(() -> service.challengerVersion() == 0);
            assertThat(service.currentVersion()).isEqualTo(1);
        }
    }

    @Test
    void withAVerifyKeyRefusesForgedUnsignedAndOtherKeysManifestsAndFollowsACorrectlySignedOne() throws Exception {
        KeyPairGenerator ed25519 = KeyPairGenerator.getInstance("Ed25519");
        KeyPair trusted = ed25519.generateKeyPair();
        PrivateKey signing = ManifestSignature.privateKey(keyFile("signing", trusted.getPrivate()));
        PrivateKey otherKey = ed25519.generateKeyPair().getPrivate();
        ServingConfig config = servingConfig()
                .optVerifyKey(ManifestSignature.publicKey(keyFile("verify", trusted.getPublic()))).build();
        TopicReader events = kafka.reader(topics.events());
        try (PredictionService service = new PredictionService(config, registry);
                KafkaProducer<byte[], byte[]> producer = producer()) {
            start(service, producer, publish("lineage", signing));

            SnapshotManifest v2 = publish("lineage", signing);
            SnapshotManifest forged = new SnapshotManifest(v2.format(), v2.model(), v2.version(), v2.createdMs(),
                    v2.examplesSeen() + 1, v2.stepsSeen(), v2.checkpointId(), v2.parentVersion(), v2.paramsFile(),
                    v2.paramsSha256(), v2.engine(), v2.device(), v2.metrics(), v2.source(), v2.streamlearnVersion(),
                    v2.sourceOffsets(), v2.files(), v2.storeId(), v2.lineageId(), v2.signature());
            announce(producer, topics, forged);
            SnapshotManifest unsigned = publish("lineage", null);
            announce(producer, topics, unsigned);
            SnapshotManifest signedByAnother = publish("lineage", otherKey);
            announce(producer, topics, signedByAnother);
            await().atMost(WAIT).until(() -> counter(registry, "streamlearn_serving_untrusted_snapshots_total") == 3);
            assertThat(service.currentVersion()).as("v1 keeps serving").isEqualTo(1);
            assertThat(service.refusedSnapshots()).isEqualTo(3);
            assertThat(refusals(events, 3)).extracting(SnapshotRefusedEvent::version, e -> e.reason()
                    .contains("unsigned") ? "unsigned" : e.reason().contains("does not verify") ? "bad" : e.reason())
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(2L, "bad"),
                            org.assertj.core.groups.Tuple.tuple(3L, "unsigned"),
                            org.assertj.core.groups.Tuple.tuple(4L, "bad"));

            SnapshotManifest v5 = publish("lineage", signing);
            announce(producer, topics, v5);
            await().atMost(WAIT).until(() -> service.currentVersion() == 5);
            assertThat(counter(registry, "streamlearn_serving_untrusted_snapshots_total")).isEqualTo(3);
        }
    }
}
