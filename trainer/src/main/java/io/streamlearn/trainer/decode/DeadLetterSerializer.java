package io.streamlearn.trainer.decode;

import io.streamlearn.core.example.DeadLetters;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Writes a dead letter with its original key, value and content type, plus reason and source headers. */
public class DeadLetterSerializer implements KafkaRecordSerializationSchema<DeadLetter> {
    private static final long serialVersionUID = 1L;
    private final String topic;

    public DeadLetterSerializer(String topic) {
        this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(DeadLetter d, KafkaSinkContext context, Long timestamp) {
        return DeadLetters.record(topic, d.record.key, d.record.value, d.reason, d.record.position(),
                d.record.contentType);
    }
}
