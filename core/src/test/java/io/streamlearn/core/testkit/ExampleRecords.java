package io.streamlearn.core.testkit;

import io.streamlearn.core.example.ContentTypes;
import io.streamlearn.core.example.Example;
import io.streamlearn.core.example.ExampleBinaryCodec;
import io.streamlearn.core.kafka.KafkaClients;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Examples as the records ingest writes (binary codec, its content-type header, the id as key), and a send that
 * returns only when the broker has acknowledged every record, so a test's next step sees them all.
 *
 * <pre>{@code
 * ExampleRecords.send(kafka.bootstrapServers(), ExampleRecords.binary(topics.examples(), examples));
 * }</pre>
 */
public final class ExampleRecords {
    private ExampleRecords() {}

    /** {@code example} as a binary-encoded record of {@code topic}, keyed by its id. */
    public static ProducerRecord<byte[], byte[]> binary(String topic, Example example) {
        RecordHeaders h = new RecordHeaders();
        h.add(ContentTypes.HEADER, ContentTypes.EXAMPLE_BINARY.getBytes(StandardCharsets.UTF_8));
        return new ProducerRecord<>(topic, null, example.id().getBytes(StandardCharsets.UTF_8),
                ExampleBinaryCodec.encode(example), h);
    }

    /** Each of {@code examples} as {@link #binary(String, Example)} records of {@code topic}, in order. */
    public static List<ProducerRecord<byte[], byte[]>> binary(String topic, List<Example> examples) {
        return examples.stream().map(e -> binary(topic, e)).toList();
    }

    /** Sends {@code records} through one producer and waits for every acknowledgement; a failed send is thrown. */
    public static void send(String bootstrap, List<ProducerRecord<byte[], byte[]>> records)
            throws InterruptedException, ExecutionException {
        List<Future<?>> sent = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> p = KafkaClients.producer(bootstrap, Map.of())) {
            for (ProducerRecord<byte[], byte[]> r : records) {
                sent.add(p.send(r));
            }
            p.flush();
            for (Future<?> f : sent) {
                f.get();
            }
        }
    }
}
