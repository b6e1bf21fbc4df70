package io.streamlearn.core.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamlearn.core.kafka.KafkaClients;
import io.streamlearn.core.kafka.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartitionInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The three-node cluster of child JVMs: replicated topics that stay writable while one node is stopped or killed. */
class KafkaClusterTest {

    @Test
    @Timeout(300)
    void keepsAcceptingAndServingRecordsWhileOneNodeIsStoppedOrKilledAndRestarts() throws Exception {
        Path dir;
        try (KafkaCluster cluster = KafkaCluster.builder().optNodes(3).build().start()) {
            dir = cluster.directory();
            Topics topics = cluster.createTopics("cluster-test.", 2);
            try (var admin = cluster.admin()) {
                TopicDescription d = admin.describeTopics(List.of(topics.examples())).allTopicNames().get()
                        .get(topics.examples());
                assertThat(d.partitions()).hasSize(2).allSatisfy(p -> assertThat(p.replicas()).hasSize(3));
                String minIsr = admin.describeConfigs(List.of(new org.apache.kafka.common.config.ConfigResource(
                        org.apache.kafka.common.config.ConfigResource.Type.TOPIC, topics.examples()))).all().get()
                        .values().iterator().next().get("min.insync.replicas").value();
                assertThat(minIsr).isEqualTo("2");
            }
            try (KafkaProducer<byte[], byte[]> producer = KafkaClients.producer(cluster.bootstrapServers(),
                    Map.of("delivery.timeout.ms", "120000", "request.timeout.ms", "10000"))) {
                send(producer, topics.examples(), 0, 100);
                cluster.stop(2);
                assertThat(cluster.isRunning(2)).isFalse();
                send(producer, topics.examples(), 100, 100);
                cluster.restart(2);
                cluster.awaitFullIsr(List.of(topics.examples()));
                cluster.kill(1);
                send(producer, topics.examples(), 200, 100);
                cluster.restart(1);
                cluster.awaitFullIsr(List.of(topics.examples()));
                try (var admin = cluster.admin()) {
                    for (TopicPartitionInfo p : admin.describeTopics(List.of(topics.examples())).allTopicNames().get()
                            .get(topics.examples()).partitions()) {
                        assertThat(p.isr()).as("partition %d back in sync", p.partition()).hasSize(3);
                    }
                }
            }
            List<String> ids = TopicReader.readExactly(cluster.bootstrapServers(), topics.examples(), 300).stream()
                    .map(r -> new String(r.value(), StandardCharsets.UTF_8)).sorted().toList();
            assertThat(ids).doesNotHaveDuplicates().hasSize(300);
        }
        assertThat(Files.exists(dir)).as("the cluster's directory is deleted on close").isFalse();
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, String topic, int from, int n) throws Exception {
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        for (int i = from; i < from + n; i++) {
            byte[] v = ("r" + i).getBytes(StandardCharsets.UTF_8);
            sent.add(producer.send(new ProducerRecord<>(topic, v, v)));
        }
        for (Future<RecordMetadata> f : sent) {
            f.get();
        }
    }
}
