package io.streamlearn.trainer.decode;

import io.streamlearn.core.example.DeadLetters;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Writes a dead letter with its original key, value and content type, plus reason and source headers; capped at
 * {@value #MAX_VALUE_BYTES} bytes of the original value (with its size and sha256), so a rejected record near Kafka's
 * size limit still yields a dead letter the sink can send.
 */
public class DeadLetterSerializer implements KafkaRecordSerializationSchema<DeadLetter> {
    private static final long serialVersionUID = 1L;
    /** Enough of the original to diagnose it, far below Kafka's default max.request.size of 1 MiB. */
    public static final int MAX_VALUE_BYTES = 64 * 1024;
    private final String topic;

    public DeadLetterSerializer(String topic) {
        this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(DeadLetter d, KafkaSinkContext context, Long timestamp) {
        return DeadLetters.capped(topic, d.record.key, d.record.value, d.reason, d.record.position(),
                d.record.contentType, MAX_VALUE_BYTES);
    }
}
