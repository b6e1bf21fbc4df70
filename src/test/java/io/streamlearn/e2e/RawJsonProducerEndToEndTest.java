package io.streamlearn.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.streamlearn.core.example.Example;
import io.streamlearn.core.kafka.KafkaClients;
import io.streamlearn.core.kafka.Topics;
import io.streamlearn.core.model.ModelSpec;
import io.streamlearn.core.model.OptimizerSpec;
import io.streamlearn.core.snapshot.SnapshotManifest;
import io.streamlearn.core.snapshot.SnapshotStore;
import io.streamlearn.core.testkit.KafkaBrokerExtension;
import io.streamlearn.ingest.source.SyntheticClassification;
import io.streamlearn.trainer.job.TrainerConfig;
import io.streamlearn.trainer.job.TrainerJob;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Any producer in any language: records written by a plain {@code KafkaProducer<String, String>} as raw
 * JSON strings, with no content-type header and none of streamlearn's code, are sniffed, decoded and
 * trained on; the published snapshot accounts for every one of them.
 */
class RawJsonProducerEndToEndTest {
    private static final int COUNT = 3000;

    @RegisterExtension
    static final KafkaBrokerExtension kafka = KafkaBrokerExtension.perClass();

    @Test
    void rawJsonStringsWithoutContentTypeAreAllTrainedOn(@TempDir Path store) throws Exception {
        ModelSpec spec = ModelSpec.mlp("rawjson", 4, 3, 16).withOptimizer(OptimizerSpec.adam(0.01f));
        Topics topics = kafka.topics(2);
        String bootstrap = kafka.bootstrapServers();
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        SyntheticClassification blobs = new SyntheticClassification(4, 3, 3.0, 11, COUNT, "raw-");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            while (blobs.hasNext()) {
                Example e = blobs.next();
                String json = String.format(Locale.ROOT, "{\"id\": \"%s\", \"features\": [%s, %s, %s, %s], "
                        + "\"label\": %d}", e.id(), e.features().get(0), e.features().get(1), e.features().get(2),
                        e.features().get(3), e.label());
                producer.send(new ProducerRecord<>(topics.examples(), e.id(), json));
            }
            producer.flush();
        }

        TrainerConfig config = TrainerConfig.builder().setBootstrapServers(bootstrap).setSpec(spec)
                .setStoreRoot(store.toString()).optTopicPrefix(topics.prefix()).optCheckpointIntervalMs(500)
                .optMaxWaitMs(50).build();
        JobClient job = TrainerJob.runLocal(config, new Configuration());
        SnapshotStore snapshots = new SnapshotStore(store);
        try {
            await().atMost(Duration.ofSeconds(120)).until(() -> snapshots.latest("rawjson")
                    .map(m -> m.examplesSeen() + (long) m.metric("holdout_examples") == COUNT).orElse(false));
        } finally {
            job.cancel().get();
        }
        SnapshotManifest last = snapshots.latest("rawjson").orElseThrow();
        assertThat(last.examplesSeen() + (long) last.metric("holdout_examples")).isEqualTo(COUNT);
        assertThat(last.examplesSeen()).isPositive();

        try (KafkaConsumer<byte[], byte[]> c = KafkaClients.consumer(bootstrap, null, Map.of())) {
            var parts = c.partitionsFor(topics.examplesDlq()).stream()
                    .map(i -> new org.apache.kafka.common.TopicPartition(i.topic(), i.partition())).toList();
            long deadLetters = c.endOffsets(parts).values().stream().mapToLong(Long::longValue).sum();
            assertThat(deadLetters).as("raw JSON records dead-lettered").isZero();
        }
    }
}
