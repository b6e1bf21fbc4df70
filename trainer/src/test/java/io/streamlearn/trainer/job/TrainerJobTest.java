package io.streamlearn.trainer.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.streamlearn.core.broker.EmbeddedKafkaBroker;
import io.streamlearn.core.example.ContentTypes;
import io.streamlearn.core.example.Example;
import io.streamlearn.core.example.ExampleBinaryCodec;
import io.streamlearn.core.kafka.KafkaClients;
import io.streamlearn.core.kafka.Topics;
import io.streamlearn.core.model.ModelSpec;
import io.streamlearn.core.model.OptimizerSpec;
import io.streamlearn.core.snapshot.SnapshotManifest;
import io.streamlearn.core.snapshot.SnapshotStore;
import io.streamlearn.trainer.decode.DeadLetter;
import io.streamlearn.trainer.learn.OnlineLearnerTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerJobTest {
    @TempDir
    Path store;

    @Test
    void learnsASeparableStreamPublishesSnapshotsAndDeadLettersBadRecords() throws Exception {
        ModelSpec spec = ModelSpec.mlp("blobs", 4, 3, 16).withOptimizer(OptimizerSpec.adam(0.01f));
        Topics topics = Topics.defaults();
        List<Example> stream = OnlineLearnerTest.blobs(4000, 11, "e");
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().build().start()) {
            String bootstrap = broker.bootstrapServers();
            try (Admin admin = KafkaClients.admin(bootstrap, Map.of())) {
                topics.createAll(admin, 2, (short) 1);
            }
            try (KafkaProducer<byte[], byte[]> p = KafkaClients.producer(bootstrap, Map.of())) {
                for (Example e : stream) {
                    RecordHeaders h = new RecordHeaders();
                    h.add(ContentTypes.HEADER, ContentTypes.EXAMPLE_BINARY.getBytes(StandardCharsets.UTF_8));
                    p.send(new ProducerRecord<>(topics.examples(), null, e.id().getBytes(StandardCharsets.UTF_8),
                            ExampleBinaryCodec.encode(e), h));
                }
                for (String bad : List.of("{\"id\":\"b1\",\"features\":[1,2,3],\"label\":0}",
                        "{\"id\":\"b2\",\"features\":[1,2,3,4],\"label\":7}", "not json at all")) {
                    p.send(new ProducerRecord<>(topics.examples(), bad.getBytes(StandardCharsets.UTF_8)));
                }
            }
            TrainerConfig config = TrainerConfig.builder().setBootstrapServers(bootstrap).setSpec(spec)
                    .setStoreRoot(store.toString()).optCheckpointIntervalMs(500).optMaxWaitMs(50).build();
            JobClient job = TrainerJob.runLocal(config, new Configuration());
            SnapshotStore snapshots = new SnapshotStore(store);
            try {
                await().atMost(Duration.ofSeconds(120)).until(() -> snapshots.latest("blobs")
                        .map(m -> m.examplesSeen() + (long) m.metric("holdout_examples") == stream.size())
                        .orElse(false));
            } finally {
                job.cancel().get();
            }
            SnapshotManifest last = snapshots.latest("blobs").orElseThrow();
            assertThat(last.metric("holdout_accuracy")).isGreaterThanOrEqualTo(0.95);
            assertThat(last.paramsSha256()).isEqualTo(SnapshotStore.sha256(
                    java.nio.file.Files.readAllBytes(snapshots.directory("blobs", last.version())
                            .resolve(last.paramsFile()))));
            List<Long> versions = snapshots.versions("blobs");
            assertThat(versions).isSorted().doesNotHaveDuplicates().contains(last.version());

            List<String> reasons = new ArrayList<>();
            List<SnapshotManifest> announced = new ArrayList<>();
            try (KafkaConsumer<byte[], byte[]> c = KafkaClients.consumer(bootstrap, "check", Map.of())) {
                c.subscribe(List.of(topics.examplesDlq(), topics.models()));
                await().atMost(Duration.ofSeconds(30)).until(() -> {
                    for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                        if (r.topic().equals(topics.models())) {
                            announced.add(SnapshotManifest.fromJson(r.value()));
                        } else {
                            reasons.add(new String(r.headers().lastHeader(DeadLetter.REASON_HEADER).value(),
                                    StandardCharsets.UTF_8));
                        }
                    }
                    return reasons.size() >= 3 && !announced.isEmpty()
                            && announced.get(announced.size() - 1).version() == last.version();
                });
            }
            assertThat(reasons).hasSize(3).anyMatch(r -> r.contains("feature count 3, expected 4"))
                    .anyMatch(r -> r.contains("label 7 out of range")).anyMatch(r -> r.contains("neither JSON"));
            assertThat(announced).extracting(SnapshotManifest::version).isSorted().doesNotHaveDuplicates();
        }
    }
}
