package io.streamlearn.serving;

import static io.streamlearn.serving.ServingTestKit.jsonRequest;
import static io.streamlearn.serving.ServingTestKit.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.prometheus.client.CollectorRegistry;
import io.streamlearn.core.kafka.KafkaClients;
import io.streamlearn.core.prediction.PredictionJsonCodec;
import io.streamlearn.core.testkit.KafkaBrokerExtension;
import io.streamlearn.core.testkit.TopicReader;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The request loop's pipeline (a batch is scored while the previous one is answered) on a real broker: answers keep
 * each partition's order, offsets are committed only for answered requests, and stopping or moving partitions first
 * delivers the batch in flight.
 */
class RequestPipelineTest extends ServingTestKit.OnEmbeddedBroker {
    @RegisterExtension
    static final KafkaBrokerExtension kafka = KafkaBrokerExtension.perClass();

    RequestPipelineTest() {
        super(kafka);
    }

    /** Small batches, so a backlog passes through the pipeline in many batches. */
    private ServingConfig.Builder config() {
        return servingConfig().optMaxBatch(16).optTopK(3);
    }

    private void sendBacklog(KafkaProducer<byte[], byte[]> producer, int n) {
        sendBacklog(producer, 0, n);
    }

    private void sendBacklog(KafkaProducer<byte[], byte[]> producer, int from, int to) {
        for (int i = from; i < to; i++) {
            producer.send(jsonRequest(topics, "r" + i, row(8, i)));
        }
        producer.flush();
    }

    @Test
    void answersTheRequestsOfEachPartitionInTheOrderTheyArrived() throws Exception {
        int n = 3_000;
        TopicReader predictions = kafka.reader(topics.predictions());
        try (PredictionService service = new PredictionService(config().build(), registry);
                KafkaProducer<byte[], byte[]> producer = producer()) {
            sendBacklog(producer, n);
            startServing(service, producer);
            await().atMost(WAIT).until(() -> service.served() == n);

            // Answers are keyed like their requests, so a request partition's answers share one partition.
            Map<Integer, List<Integer>> answered = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> r : predictions.readExactly(n)) {
                int index = Integer.parseInt(PredictionJsonCodec.decode(r.value()).id().substring(1));
                answered.computeIfAbsent(r.partition(), p -> new ArrayList<>()).add(index);
            }
            assertThat(answered).hasSize(2);
            for (List<Integer> ids : answered.values()) {
                assertThat(ids).as("answers in request order, each once").isSorted().doesNotHaveDuplicates();
            }
            assertThat(answered.values().stream().mapToInt(List::size).sum()).isEqualTo(n);
        }
    }

    @ParameterizedTest(name = "exactlyOnce={0}")
    @ValueSource(booleans = {true, false})
    void stoppedMidBacklogItDeliversTheBatchInFlightAndCommitsExactlyTheAnsweredRequests(boolean exactlyOnce)
            throws Exception {
        int n = 20_000;
        TopicReader requests = kafka.reader(topics.requests());
        TopicReader predictions = kafka.reader(topics.predictions());
        PredictionService service = new PredictionService(config().optExactlyOnce(exactlyOnce).build(), registry);
        try (service; KafkaProducer<byte[], byte[]> producer = producer()) {
            sendBacklog(producer, n);
            startServing(service, producer);
            await().atMost(WAIT).until(() -> service.served() > 1_000);
        }
        long served = service.served();
        assertThat(served).as("stopped mid-backlog").isLessThan(n);
        assertThat(service.rejected()).isZero();

        Map<TopicPartition, Long> committed = committedByPartition();
        // Counts add up: what is committed is exactly what was answered and acknowledged, the batch in flight too.
        assertThat(committed.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(served);
        List<String> answeredIds = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : predictions.readToEnd()) {
            answeredIds.add(PredictionJsonCodec.decode(r.value()).id());
        }
        assertThat(answeredIds).hasSize((int) served).doesNotHaveDuplicates();
        List<String> belowCommitted = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : requests.readExactly(n)) {
            long next = committed.getOrDefault(new TopicPartition(r.topic(), r.partition()), 0L);
            if (r.offset() < next) {
                belowCommitted.add(new String(r.key(), java.nio.charset.StandardCharsets.UTF_8));
            }
        }
        assertThat(answeredIds).as("every committed request was answered").containsExactlyInAnyOrderElementsOf(
                belowCommitted);
    }

    @ParameterizedTest(name = "exactlyOnce={0}")
    @ValueSource(booleans = {true, false})
    void aRebalanceMidBacklogDeliversAndCommitsTheBatchInFlightSoNoRequestIsAnsweredTwice(boolean exactlyOnce)
            throws Exception {
        int n = 60_000;
        TopicReader predictions = kafka.reader(topics.predictions());
        // Batches of 64: in exactly-once mode a batch is a transaction, and 60,000 of 16 take minutes on a busy host.
        PredictionService first = new PredictionService(config().optMaxBatch(64).optExactlyOnce(exactlyOnce)
                .optInstanceId("first").build(), new CollectorRegistry());
        PredictionService second = new PredictionService(config().optMaxBatch(64).optExactlyOnce(exactlyOnce)
                .optInstanceId("second").build(), new CollectorRegistry());
        try (first; second; KafkaProducer<byte[], byte[]> producer = producer()) {
            // Two thirds before the second instance joins: the group rebalances while the first has batches out.
            sendBacklog(producer, 0, 40_000);
            startServing(first, producer);
            second.start();
            await().atMost(WAIT).until(this::bothMembersHavePartitions);
            // The rest once both share the partitions, so the second answers some whatever the host's speed.
            sendBacklog(producer, 40_000, n);
            await().atMost(WAIT.multipliedBy(3)).until(() -> first.served() + second.served() == n);
            assertThat(second.served()).as("the second instance took partitions over").isPositive();
            await().atMost(WAIT).until(() -> committedOffsets() == n);

            Map<String, Integer> answers = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> r : predictions.readToEnd()) {
                answers.merge(PredictionJsonCodec.decode(r.value()).id(), 1, Integer::sum);
            }
            assertThat(answers).hasSize(n);
            assertThat(answers.values()).as("one answer per request: the new owner starts after the drained batch")
                    .allMatch(c -> c == 1);
        }
    }

    private boolean bothMembersHavePartitions() throws Exception {
        try (Admin admin = KafkaClients.admin(kafka.bootstrapServers(), Map.of())) {
            ConsumerGroupDescription g = admin.describeConsumerGroups(List.of(group)).all().get(30, TimeUnit.SECONDS)
                    .get(group);
            return g.members().size() == 2
                    && g.members().stream().allMatch(m -> !m.assignment().topicPartitions().isEmpty());
        }
    }

    private Map<TopicPartition, Long> committedByPartition() throws Exception {
        try (Admin admin = KafkaClients.admin(kafka.bootstrapServers(), Map.of())) {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
            Map<TopicPartition, Long> out = new HashMap<>();
            offsets.forEach((tp, o) -> out.put(tp, o.offset()));
            return out;
        }
    }
}
