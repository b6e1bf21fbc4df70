package io.streamlearn.core.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamlearn.core.broker.EmbeddedKafkaBroker;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class TopicsTest {
    @Test
    void createMissingCreatesOnlyWhatIsMissingAndReturnsWhenItIsServed() throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().build().start();
                Admin admin = KafkaClients.admin(broker.bootstrapServers(), Map.of())) {
            Duration timeout = Duration.ofSeconds(30);

            List<String> first = Topics.createMissing(admin, List.of("a", "b", "a"), timeout);
            // Served means ListOffsets answers at once, without the retry the creation had to wait out.
            var offsets = admin.listOffsets(Map.of(new TopicPartition("a", 0), OffsetSpec.latest(),
                    new TopicPartition("b", 0), OffsetSpec.latest())).all().get(5, TimeUnit.SECONDS);
            List<String> second = Topics.createMissing(admin, List.of("a", "b", "c"), timeout);

            assertThat(first).containsExactly("a", "b");
            assertThat(offsets.values()).extracting(o -> o.offset()).containsExactly(0L, 0L);
            assertThat(second).containsExactly("c");
            assertThat(admin.listTopics().names().get(5, TimeUnit.SECONDS)).contains("a", "b", "c");
        }
    }
}
