package io.streamlearn.core.broker;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamlearn.core.kafka.KafkaClients;
import io.streamlearn.core.kafka.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker itself, started and closed by hand: these tests are about its life cycle, which
 * {@link io.streamlearn.core.testkit.KafkaBrokerExtension} hides from every other test.
 */
class EmbeddedKafkaBrokerTest {

    @Test
    void producesAndConsumesThroughARealBroker() throws Exception {
        Path dataDir;
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().build().start()) {
            dataDir = broker.dataDir();
            assertThat(broker.bootstrapServers()).startsWith("127.0.0.1:");
            Topics topics = Topics.defaults();
            try (Admin admin = KafkaClients.admin(broker.bootstrapServers(), Map.of())) {
                topics.createAll(admin, 2, (short) 1);
                assertThat(admin.listTopics().names().get()).containsAll(topics.all());
            }
            try (KafkaProducer<byte[], byte[]> p = KafkaClients.producer(broker.bootstrapServers(), Map.of())) {
                for (int i = 0; i < 100; i++) {
                    p.send(new ProducerRecord<>(topics.examples(), bytes("k" + i), bytes("v" + i)));
                }
                p.flush();
            }
            // A subscribed consumer in a group, not the test kit's TopicReader (which assigns partitions): it
            // proves the single-node settings for the offsets topic and group rebalances work.
            List<String> values = new ArrayList<>();
            try (KafkaConsumer<byte[], byte[]> c = KafkaClients.consumer(broker.bootstrapServers(), "t", Map.of())) {
                c.subscribe(List.of(topics.examples()));
                long deadline = System.currentTimeMillis() + 30_000;
                while (values.size() < 100 && System.currentTimeMillis() < deadline) {
                    for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                        values.add(new String(r.value(), StandardCharsets.UTF_8));
                    }
                }
            }
            assertThat(values).hasSize(100).contains("v0", "v99");
        }
        assertThat(Files.exists(dataDir)).as("temporary data dir removed on close").isFalse();
    }

    @Test
    void restartsOnItsDataDirectoryKeepingTopics(@TempDir Path dir) throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().optDataDir(dir).build().start();
                Admin admin = KafkaClients.admin(broker.bootstrapServers(), Map.of())) {
            Topics.defaults().createAll(admin, 1, (short) 1);
        }
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().optDataDir(dir).build().start();
                Admin admin = KafkaClients.admin(broker.bootstrapServers(), Map.of())) {
            assertThat(admin.listTopics().names().get()).contains(Topics.defaults().models());
        }
        assertThat(Files.exists(dir.resolve("logs/meta.properties"))).isTrue();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
