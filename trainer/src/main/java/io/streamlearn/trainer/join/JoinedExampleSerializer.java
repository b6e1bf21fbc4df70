package io.streamlearn.trainer.join;

import io.streamlearn.core.example.ContentTypes;
import io.streamlearn.core.example.Example;
import io.streamlearn.core.example.ExampleBinaryCodec;
import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * A joined example as ingest writes one: the binary layout with its content-type header, keyed by the id, and the
 * label's time as the record's timestamp.
 */
public class JoinedExampleSerializer implements KafkaRecordSerializationSchema<Example> {
    private static final long serialVersionUID = 1L;
    private static final byte[] BINARY = ContentTypes.EXAMPLE_BINARY.getBytes(StandardCharsets.UTF_8);

    private final String topic;

    public JoinedExampleSerializer(String topic) {
        this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(Example e, KafkaSinkContext context, Long timestamp) {
        RecordHeaders h = new RecordHeaders();
        h.add(ContentTypes.HEADER, BINARY);
        return new ProducerRecord<>(topic, null, e.hasTimestamp() ? e.timestampMs() : null,
                e.id().getBytes(StandardCharsets.UTF_8), ExampleBinaryCodec.encode(e), h);
    }
}
