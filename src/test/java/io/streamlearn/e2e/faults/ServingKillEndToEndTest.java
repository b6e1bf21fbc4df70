package io.streamlearn.e2e.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.streamlearn.core.broker.EmbeddedKafkaBroker;
import io.streamlearn.core.kafka.KafkaClients;
import io.streamlearn.core.kafka.Topics;
import io.streamlearn.core.model.ModelSpec;
import io.streamlearn.core.snapshot.SnapshotManifest;
import io.streamlearn.core.snapshot.SnapshotStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Two {@code streamlearn serve} JVMs in one group; one is SIGKILLed mid-stream (its batch unanswered or its
 * transaction open, its group membership held) and nothing replaces it: the survivor takes its partitions over, and
 * every request is answered at least once in the default mode, exactly once with {@code --exactly-once}. Counts are
 * asserted, not times (bench/failover.sh measures those).
 */
class ServingKillEndToEndTest {
    private static final ModelSpec SPEC = ModelSpec.mlp("killed", 8, 4, 16);
    private static final Duration WAIT = Duration.ofSeconds(120);

    private static EmbeddedKafkaBroker broker;

    @TempDir
    Path store;
    @TempDir
    Path logs;

    @BeforeAll
    static void startBroker() {
        broker = EmbeddedKafkaBroker.builder().build().start();
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @ParameterizedTest(name = "exactlyOnce={0}")
    @ValueSource(booleans = {false, true})
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void aSigkilledInstancesRequestsAreAnsweredByTheSurvivor(boolean exactlyOnce) throws Exception {
        Topics topics = new Topics("killed-" + exactlyOnce + ".");
        try (Admin admin = KafkaClients.admin(broker.bootstrapServers(), Map.of())) {
            topics.createAll(admin, 4, (short) 1);
        }
        SnapshotManifest v1 = ServingProcess.publishInitialized(new SnapshotStore(store), SPEC);
        try (KafkaProducer<byte[], byte[]> p = KafkaClients.producer(broker.bootstrapServers(), Map.of())) {
            p.send(new ProducerRecord<>(topics.models(), SPEC.name().getBytes(StandardCharsets.UTF_8),
                    v1.toJsonBytes())).get();
        }
        List<String> mode = exactlyOnce ? List.of("--exactly-once") : List.of();
        String group = topics.prefix() + "serving";
        List<ServingProcess> instances = new ArrayList<>();
        try (RequestTracker requests = startTracking(topics)) {
            for (String id : List.of("a", "b")) {
                instances.add(ServingProcess.start(id, broker.bootstrapServers(), topics, store, SPEC.name(), group,
                        mode, logs));
            }
            for (ServingProcess s : instances) {
                s.awaitReady(WAIT);
            }
            ServingProcess victim = instances.get(0);
            ServingProcess survivor = instances.get(1);
            // Both hold partitions and answer: the kill lands in the middle of the victim's stream of batches.
            await().atMost(WAIT).until(() -> victim.served() > 200 && survivor.served() > 200);
            victim.kill();
            long servedAtKill = survivor.served();
            // The survivor takes the victim's partitions after the session timeout; requests keep coming meanwhile.
            await().atMost(WAIT).until(() -> survivor.served() > servedAtKill + 2_000);
            int sent = requests.stopSending();
            assertThat(requests.awaitAllAnswered(WAIT)).as("every one of %d requests answered; %d are not", sent,
                    requests.unanswered()).isTrue();
            assertThat(requests.failure()).isNull();
            assertThat(requests.unanswered()).isZero();
            if (exactlyOnce) {
                assertThat(requests.answeredTwice()).as("read_committed readers see each request answered once")
                        .isZero();
                assertThat(requests.predictions()).isEqualTo(sent);
            } else {
                assertThat(requests.predictions()).as("at least once").isGreaterThanOrEqualTo(sent);
            }
            assertThat(survivor.isAlive()).isTrue();
        } finally {
            instances.forEach(ServingProcess::close);
        }
    }

    private static RequestTracker startTracking(Topics topics) {
        return new RequestTracker(broker.bootstrapServers(), topics, SPEC.featureCount(), 500, 200_000);
    }
}
