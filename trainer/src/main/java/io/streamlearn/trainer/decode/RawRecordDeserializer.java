package io.streamlearn.trainer.decode;

import io.streamlearn.core.example.ContentTypes;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/** Keeps the value, key, content-type header and position of each record; decoding happens downstream. */
public class RawRecordDeserializer implements KafkaRecordDeserializationSchema<RawRecord> {
    private static final long serialVersionUID = 1L;

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> r, Collector<RawRecord> out) {
        Header h = r.headers().lastHeader(ContentTypes.HEADER);
        out.collect(new RawRecord(r.topic(), r.partition(), r.offset(), r.key(),
                r.value() == null ? new byte[0] : r.value(), h == null ? null : ContentTypes.fromHeader(h.value())));
    }

    @Override
    public TypeInformation<RawRecord> getProducedType() {
        return TypeInformation.of(RawRecord.class);
    }
}
