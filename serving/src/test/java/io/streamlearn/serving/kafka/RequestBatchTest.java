package io.streamlearn.serving.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** What a micro-batch commits and what it drops when partitions are revoked while it is collected. */
class RequestBatchTest {
    private static final TopicPartition P0 = new TopicPartition("requests", 0);
    private static final TopicPartition P1 = new TopicPartition("requests", 1);

    private static ConsumerRecords<byte[], byte[]> records(TopicPartition tp, long... offsets) {
        List<ConsumerRecord<byte[], byte[]>> list = new java.util.ArrayList<>();
        for (long o : offsets) {
            list.add(new ConsumerRecord<>(tp.topic(), tp.partition(), o, null, new byte[] {1}));
        }
        return new ConsumerRecords<>(Map.of(tp, list), Map.of());
    }

    @Test
    void commitsTheOffsetAfterTheLastRecordOfEachPartition() {
        RequestBatch b = new RequestBatch();
        b.append(records(P0, 10, 11, 12), 1L);
        b.append(records(P1, 3), 2L);
        assertThat(b.nextOffsets()).containsExactlyInAnyOrderEntriesOf(
                Map.of(P0, new OffsetAndMetadata(13), P1, new OffsetAndMetadata(4)));
    }

    @Test
    void dropsTheRecordsOfRevokedPartitionsAndKeepsEachOthersArrival() {
        RequestBatch b = new RequestBatch();
        b.append(records(P0, 10, 11), 100L);
        b.append(records(P1, 3, 4), 200L);
        b.append(records(P0, 12), 300L);
        b.dropPartitions(List.of(P0));
        assertThat(b.pending).extracting(ConsumerRecord::partition, ConsumerRecord::offset)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(1, 3L), org.assertj.core.groups.Tuple.tuple(1, 4L));
        assertThat(b.arrivalNanos[0]).isEqualTo(200L);
        assertThat(b.arrivalNanos[1]).isEqualTo(200L);
        assertThat(b.nextOffsets()).containsExactly(Map.entry(P1, new OffsetAndMetadata(5)));
    }
}
