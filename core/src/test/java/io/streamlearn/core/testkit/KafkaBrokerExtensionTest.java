package io.streamlearn.core.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamlearn.core.kafka.KafkaClients;
import io.streamlearn.core.kafka.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The test kit on its own: one broker for the class, fresh topics per test, a reader that says what it saw. */
class KafkaBrokerExtensionTest {
    @RegisterExtension
    static final KafkaBrokerExtension kafka = KafkaBrokerExtension.perClass();

    private static final Set<String> BOOTSTRAPS = new HashSet<>();
    private static final Set<String> PREFIXES = new HashSet<>();

    @Test
    void sharesTheBrokerButGivesEachTestItsOwnCreatedTopics() throws Exception {
        Topics topics = kafka.topics();
        assertOwnPrefixOnTheSharedBroker(topics);
        try (Admin admin = KafkaClients.admin(kafka.bootstrapServers(), Map.of())) {
            assertThat(admin.listTopics().names().get()).containsAll(topics.all());
            assertThat(admin.describeTopics(Set.of(topics.examples())).allTopicNames().get()
                    .get(topics.examples()).partitions()).hasSize(KafkaBrokerExtension.DEFAULT_PARTITIONS);
        }
        assertThat(kafka.topic("runs")).isEqualTo(topics.prefix() + "runs");
    }

    @Test
    void readerReadsExactlyWhatWasWrittenAndSaysWhatItSawWhenMoreDoesNotCome() {
        Topics topics = kafka.topics(1);
        assertOwnPrefixOnTheSharedBroker(topics);
        try (KafkaProducer<byte[], byte[]> p = KafkaClients.producer(kafka.bootstrapServers(), Map.of())) {
            for (String v : new String[] {"a", "b", "c"}) {
                p.send(new ProducerRecord<>(topics.events(), v.getBytes(StandardCharsets.UTF_8)));
            }
            p.flush();
        }
        assertThat(kafka.reader(topics.events()).readExactly(3)).extracting(r -> new String(r.value(),
                StandardCharsets.UTF_8)).containsExactly("a", "b", "c");
        assertThat(kafka.reader(topics.events()).awaitValues(2, v -> new String(v, StandardCharsets.UTF_8)))
                .containsExactly("a", "b");
        assertThatThrownBy(() -> kafka.reader(topics.events()).readExactly(2))
                .isInstanceOf(AssertionError.class)
                .hasMessage("topic " + topics.events() + " holds 3 records, expected exactly 2");
        try (TopicReader r = TopicReader.open(kafka.bootstrapServers(), topics.events(), Duration.ofMillis(500),
                IsolationLevel.READ_COMMITTED)) {
            assertThatThrownBy(() -> r.awaitAtLeast(4)).isInstanceOf(AssertionError.class)
                    .hasMessage("topic " + topics.events() + ": saw 3 records within 500 ms, waiting for at least 4 "
                            + "records (read_committed, from the beginning of 1 partitions)");
        }
        assertThatThrownBy(() -> kafka.topics(2)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("exist already with 1 partitions");
    }

    private static void assertOwnPrefixOnTheSharedBroker(Topics topics) {
        assertThat(PREFIXES.add(topics.prefix())).as("prefix %s is this test's alone", topics.prefix()).isTrue();
        BOOTSTRAPS.add(kafka.bootstrapServers());
        assertThat(BOOTSTRAPS).as("one broker for the class").hasSize(1);
    }
}
