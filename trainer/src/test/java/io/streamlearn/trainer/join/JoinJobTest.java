package io.streamlearn.trainer.join;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamlearn.core.example.ContentTypes;
import io.streamlearn.core.example.DeadLetterHeaders;
import io.streamlearn.core.example.Example;
import io.streamlearn.core.example.ExampleBinaryCodec;
import io.streamlearn.core.example.ExampleCodec;
import io.streamlearn.core.feedback.Feedback;
import io.streamlearn.core.feedback.FeedbackJsonCodec;
import io.streamlearn.core.kafka.Topics;
import io.streamlearn.core.testkit.Blobs;
import io.streamlearn.core.testkit.ExampleRecords;
import io.streamlearn.core.testkit.KafkaBrokerExtension;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The label join job on a Flink MiniCluster against the real embedded broker: served requests and their later labels
 * become examples exactly once (read_committed), also across a failure after a checkpoint, and every label is
 * accounted for: joined + late + unmatched + duplicate + contradictory = labels received.
 */
class JoinJobTest {
    private static final long WINDOW_MS = 10_000;
    /**
     * Event times of the test. Near the wall clock, as the broker wants them: it deletes records older than its
     * retention (7 days) and refuses those more than an hour ahead (log.message.timestamp.after.max.ms).
     */
    private static final long T0 = System.currentTimeMillis();
    private static final long FAR = T0 + 100 * WINDOW_MS;

    @RegisterExtension
    static final KafkaBrokerExtension kafka = KafkaBrokerExtension.perClass();

    /** Fails the job once, when the joined example of {@link #AT_ID} passes, which is after a checkpoint. */
    static final class FailOnce implements MapFunction<Example, Example> {
        private static final long serialVersionUID = 1L;
        static final String AT_ID = "r120";
        static final AtomicBoolean FAILED = new AtomicBoolean();

        @Override
        public Example map(Example e) {
            if (e.id().equals(AT_ID) && FAILED.compareAndSet(false, true)) {
                throw new IllegalStateException("injected failure for the exactly-once test");
            }
            return e;
        }
    }

    private static long requestAt(int i) {
        return T0 + i * 10L;
    }

    private static ProducerRecord<byte[], byte[]> request(Topics topics, Example served, int partition, long at) {
        ProducerRecord<byte[], byte[]> r = ExampleRecords.binary(topics.requests(),
                Example.request(served.id(), served.features()));
        return new ProducerRecord<>(r.topic(), partition, at, r.key(), r.value(), r.headers());
    }

    private static ProducerRecord<byte[], byte[]> label(Topics topics, String id, int label, long at) {
        return new ProducerRecord<>(topics.feedback(), 0, at, id.getBytes(StandardCharsets.UTF_8),
                FeedbackJsonCodec.encode(new Feedback(id, label)));
    }

    private static String reason(ConsumerRecord<byte[], byte[]> r) {
        return new String(r.headers().lastHeader(DeadLetterHeaders.REASON).value(), StandardCharsets.UTF_8);
    }

    @Test
    void requestsAndTheirLaterLabelsBecomeExamplesExactlyOnceAcrossAFailureAndEveryLabelIsCounted()
            throws Exception {
        Topics topics = kafka.topics();
        List<Example> served = Blobs.three(200, 41, "r");
        Map<String, Example> byId = served.stream().collect(Collectors.toMap(Example::id, Function.identity()));

        // Phase 1: requests 0..99 and their labels, 1 s after each request: all joined.
        List<ProducerRecord<byte[], byte[]>> first = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            first.add(request(topics, served.get(i), i % 2, requestAt(i)));
        }
        for (int i = 0; i < 100; i++) {
            first.add(label(topics, served.get(i).id(), served.get(i).label(), requestAt(i) + 1_000));
        }
        ExampleRecords.send(kafka.bootstrapServers(), first);

        FailOnce.FAILED.set(false);
        JoinConfig config = JoinConfig.fromArgs("-b", kafka.bootstrapServers(), "--topic-prefix", topics.prefix(),
                "--window-ms", Long.toString(WINDOW_MS), "--out-of-orderness-ms", "500", "--idle-ms", "0",
                "--checkpoint-interval-ms", "300", "--transactional-id-prefix", topics.prefix() + "join");
        JobClient job = JoinJob.runLocal(config, new Configuration(),
                s -> s.map(new FailOnce()).uid("fail-once").name("fail once"));
        try {
            // Visible to read_committed only once a checkpoint completed: the failure below comes after one.
            kafka.reader(topics.examples()).awaitAtLeast(100);

            // Phase 2: requests 100..199; labels: 100..149 joined, 150..169 late (2 windows after), 20 for ids
            // never requested (unmatched), the same label again for 0..9 (duplicate), another label for 10..19
            // (contradictory), one undecodable record; 170..199 get none. Then a request and its label far
            // ahead, which carry the watermark past every window above (joined too).
            List<ProducerRecord<byte[], byte[]>> second = new ArrayList<>();
            for (int i = 100; i < 200; i++) {
                second.add(request(topics, served.get(i), i % 2, requestAt(i)));
            }
            for (int i = 100; i < 150; i++) {
                second.add(label(topics, served.get(i).id(), served.get(i).label(), requestAt(i) + 1_000));
            }
            for (int i = 150; i < 170; i++) {
                second.add(label(topics, served.get(i).id(), served.get(i).label(), requestAt(i) + 2 * WINDOW_MS));
            }
            for (int i = 0; i < 20; i++) {
                second.add(label(topics, "never-served-" + i, 1, T0 + 500));
            }
            for (int i = 0; i < 10; i++) {
                second.add(label(topics, served.get(i).id(), served.get(i).label(), requestAt(i) + 2_000));
            }
            for (int i = 10; i < 20; i++) {
                second.add(label(topics, served.get(i).id(), (served.get(i).label() + 1) % 3, requestAt(i) + 2_000));
            }
            second.add(new ProducerRecord<>(topics.feedback(), 0, T0 + 3_000, "bad".getBytes(StandardCharsets.UTF_8),
                    "not json".getBytes(StandardCharsets.UTF_8)));
            Example tick = Blobs.three(1, 42, "tick").get(0);
            second.add(request(topics, tick, 0, FAR));
            second.add(request(topics, Blobs.three(1, 43, "tock").get(0), 1, FAR));
            second.add(label(topics, tick.id(), tick.label(), FAR + 1));
            ExampleRecords.send(kafka.bootstrapServers(), second);

            List<ConsumerRecord<byte[], byte[]>> dlq = kafka.reader(topics.feedbackDlq()).readExactly(61);
            List<ConsumerRecord<byte[], byte[]>> examples = kafka.reader(topics.examples()).readExactly(151);

            assertThat(FailOnce.FAILED).as("the failure was injected").isTrue();
            Map<String, Integer> seen = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> r : examples) {
                Example e = ExampleCodec.decode(r.value(), ContentTypes.EXAMPLE_BINARY);
                seen.merge(e.id(), 1, Integer::sum);
                Example request = e.id().equals(tick.id()) ? tick : byId.get(e.id());
                assertThat(e.features()).as("the request's features").isEqualTo(request.features());
                assertThat(e.label()).as("the label, first one wins").isEqualTo(request.label());
                assertThat(e.weight()).isEqualTo(1f);
                assertThat(e.timestampMs()).as("the label's time").isEqualTo(r.timestamp())
                        .isEqualTo(e.id().equals(tick.id()) ? FAR + 1 : requestAt(served.indexOf(request)) + 1_000);
                assertThat(ExampleBinaryCodec.hasMagic(r.value())).isTrue();
            }
            assertThat(seen).as("each joined id once, read_committed").hasSize(151)
                    .allSatisfy((id, n) -> assertThat(n).as(id).isEqualTo(1));
            assertThat(seen.keySet()).as("ids 0..149 and the tick")
                    .containsAll(served.subList(0, 150).stream().map(Example::id).toList()).contains(tick.id());

            Map<String, Long> byOutcome = dlq.stream().collect(Collectors.groupingBy(
                    r -> reason(r).split(" ", 2)[0], Collectors.counting()));
            assertThat(byOutcome).containsExactlyInAnyOrderEntriesOf(Map.of("late", 20L, "unmatched", 20L,
                    "duplicate", 10L, "contradictory", 10L, "undecodable", 1L));
            long labelsReceived = 100 + 50 + 20 + 20 + 10 + 10 + 1;
            assertThat(examples.size() + byOutcome.get("late") + byOutcome.get("unmatched")
                    + byOutcome.get("duplicate") + byOutcome.get("contradictory"))
                    .as("joined + late + unmatched + duplicate + contradictory = labels received")
                    .isEqualTo(labelsReceived);
            assertThat(dlq).allSatisfy(r -> assertThat(new String(r.headers().lastHeader(DeadLetterHeaders.SOURCE)
                    .value(), StandardCharsets.UTF_8)).startsWith(topics.feedback() + "/0/"));
            assertThat(dlq.stream().filter(r -> reason(r).startsWith("late")).map(r -> new String(r.key(),
                    StandardCharsets.UTF_8)).toList())
                    .containsExactlyInAnyOrderElementsOf(served.subList(150, 170).stream().map(Example::id).toList());
        } finally {
            job.cancel().get();
        }
    }
}
