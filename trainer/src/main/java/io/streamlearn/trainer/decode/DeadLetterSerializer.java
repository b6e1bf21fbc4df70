package io.streamlearn.trainer.decode;

import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/** Writes a dead letter with its original key, value and content type, plus reason and source headers. */
public class DeadLetterSerializer implements KafkaRecordSerializationSchema<DeadLetter> {
    private static final long serialVersionUID = 1L;
    private final String topic;

    public DeadLetterSerializer(String topic) {
        this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(DeadLetter d, KafkaSinkContext context, Long timestamp) {
        RecordHeaders h = new RecordHeaders();
        h.add(DeadLetter.REASON_HEADER, d.reason.getBytes(StandardCharsets.UTF_8));
        h.add(DeadLetter.SOURCE_HEADER, d.record.position().getBytes(StandardCharsets.UTF_8));
        if (d.record.contentType != null) {
            h.add(io.streamlearn.core.example.ContentTypes.HEADER, d.record.contentType.getBytes(StandardCharsets.UTF_8));
        }
        return new ProducerRecord<>(topic, null, d.record.key, d.record.value, h);
    }
}
