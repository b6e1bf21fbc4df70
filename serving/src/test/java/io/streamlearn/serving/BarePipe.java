package io.streamlearn.serving;

import io.streamlearn.core.example.ContentTypes;
import io.streamlearn.core.example.Example;
import io.streamlearn.core.example.ExampleCodec;
import io.streamlearn.core.kafka.KafkaClients;
import io.streamlearn.core.prediction.Prediction;
import io.streamlearn.core.prediction.PredictionJsonCodec;
import io.streamlearn.serving.kafka.RequestLoop;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * The reference of {@link ServingBench}'s maximum: what serving's request loop does without a model. It consumes the
 * requests in a group with the same client properties and poll size, decodes each with our codec, encodes a
 * prediction of the same shape (three scores, the same headers), produces it, and per poll flushes and commits as
 * the at-least-once loop does. Its rate is the most serving could reach on this broker and these clients.
 */
final class BarePipe {
    private static final List<Prediction.Score> SCORES = List.of(new Prediction.Score(3, 0.91f),
            new Prediction.Score(5, 0.04f), new Prediction.Score(8, 0.02f));
    private static final byte[] JSON = ContentTypes.JSON.getBytes(StandardCharsets.UTF_8);
    private static final byte[] VERSION = "1".getBytes(StandardCharsets.UTF_8);

    private BarePipe() {}

    /** A drain's answers per second after the first poll, and its CPU per answer by thread role ({@link ThreadCpu}). */
    record Drain(double perSecond, String cpuPerAnswer) {}

    /**
     * Drains {@code count} requests of {@code requestsTopic} into {@code answersTopic} as group {@code group}; its rate
     * is taken after the first poll (as serving's rate is taken after its first batch).
     */
    static Drain drain(String bootstrap, String requestsTopic, String answersTopic, String group, int count,
            int maxBatch, ServingProfile profile) {
        Map<String, String> consumerProperties = new HashMap<>(profile.consumer(Map.of()));
        consumerProperties.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Integer.toString(maxBatch));
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> c = KafkaClients.consumer(bootstrap, group, consumerProperties);
                KafkaProducer<byte[], byte[]> p = KafkaClients.producer(bootstrap, profile.producer(Map.of()))) {
            c.subscribe(List.of(requestsTopic));
            ThreadCpu cpu0 = ThreadCpu.now();
            long t0 = 0;
            int first = 0;
            int answered = 0;
            long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
            while (answered < count) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("bare pipe: " + answered + " of " + count + " after 5 min");
                }
                ConsumerRecords<byte[], byte[]> records = c.poll(Duration.ofMillis(100));
                offsets.clear();
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    Example ex = ExampleCodec.decode(r.value(), r.headers());
                    Prediction answer = new Prediction(ex.id(), 3, SCORES, "pipe", 1, 0.1f);
                    RecordHeaders h = new RecordHeaders();
                    h.add(ContentTypes.HEADER, JSON);
                    h.add(RequestLoop.CORRELATION_ID_HEADER, ex.id().getBytes(StandardCharsets.UTF_8));
                    h.add(RequestLoop.MODEL_VERSION_HEADER, VERSION);
                    p.send(new ProducerRecord<>(answersTopic, null, r.key(), PredictionJsonCodec.encode(answer), h));
                    offsets.put(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
                }
                if (records.isEmpty()) {
                    continue;
                }
                p.flush();
                c.commitAsync(new HashMap<>(offsets), null);
                answered += records.count();
                if (t0 == 0) {
                    t0 = System.nanoTime();
                    first = answered;
                }
            }
            double perSecond = (answered - first) * 1e9 / Math.max(1, System.nanoTime() - t0);
            // Before the clients close: their threads' CPU goes with them.
            return new Drain(perSecond, ThreadCpu.now().perRecordSince(cpu0, answered));
        }
    }
}
