package io.streamlearn.serving.kafka;

import io.streamlearn.core.example.Example;
import io.streamlearn.core.example.Features;
import io.streamlearn.serving.model.LoadedModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * One micro-batch of request records on its way through the {@link RequestLoop}: polled and scored on the loop's
 * thread, then answered and delivered on the {@link AnswerSender}'s. Two of them alternate, so one is scored while
 * the other is answered; each keeps its buffers from batch to batch (the hot path allocates per record only what
 * leaves the process).
 */
final class RequestBatch {
    // Filled by the poll.
    final List<ConsumerRecord<byte[], byte[]>> pending = new ArrayList<>();
    long[] arrivalNanos = new long[64];

    // Filled by RequestAnswerer.score: the rows the model can answer, and the requests it cannot, with their reason.
    final List<ConsumerRecord<byte[], byte[]>> rows = new ArrayList<>();
    final List<Example> rowExamples = new ArrayList<>();
    final List<Features> rowFeatures = new ArrayList<>();
    long[] rowArrivals = new long[64];
    /** Per row: the champion's score, or null when its forward pass failed ({@link #rowFailures} says why). */
    LoadedModel.Scored[] scored = new LoadedModel.Scored[64];
    String[] rowFailures = new String[64];
    /** Per row: a canary's score (null when none or its pass failed); null when no canary runs. */
    LoadedModel.Scored[] challenged;
    final List<ConsumerRecord<byte[], byte[]>> refused = new ArrayList<>();
    final List<String> refusedReasons = new ArrayList<>();
    // Retained from scoring until the answers are built, so a swap never splits a batch.
    LoadedModel model;
    LoadedModel challenger;

    // Delivery: the offsets to commit, the group generation they belong to, and how it went.
    final Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    ConsumerGroupMetadata groupMetadata;
    boolean failed;
    long served;
    long rejected;

    /** Empties the batch for the next poll; the models must have been released. */
    void clear() {
        pending.clear();
        rows.clear();
        rowExamples.clear();
        rowFeatures.clear();
        refused.clear();
        refusedReasons.clear();
        challenged = null;
        offsets.clear();
        groupMetadata = null;
        failed = false;
        served = 0;
        rejected = 0;
    }

    /** Appends a poll's records, all arrived at {@code arrival}; false when there were none. */
    boolean append(ConsumerRecords<byte[], byte[]> records, long arrival) {
        if (records.isEmpty()) {
            return false;
        }
        int need = pending.size() + records.count();
        if (arrivalNanos.length < need) {
            arrivalNanos = Arrays.copyOf(arrivalNanos, Math.max(need, arrivalNanos.length * 2));
        }
        for (ConsumerRecord<byte[], byte[]> r : records) {
            arrivalNanos[pending.size()] = arrival;
            pending.add(r);
        }
        return true;
    }

    /**
     * Drops the polled records of {@code partitions}, revoked while the batch was being collected: their new owner,
     * or this member after the reassignment, polls them again from the committed offsets.
     */
    void dropPartitions(Collection<TopicPartition> partitions) {
        int kept = 0;
        for (int i = 0; i < pending.size(); i++) {
            ConsumerRecord<byte[], byte[]> r = pending.get(i);
            if (!partitions.contains(new TopicPartition(r.topic(), r.partition()))) {
                arrivalNanos[kept] = arrivalNanos[i];
                pending.set(kept++, r);
            }
        }
        pending.subList(kept, pending.size()).clear();
    }

    /** Sizes the per-row arrays for {@code n} rows (a batch may hold more than one poll in the throughput profile). */
    void ensureRows(int n) {
        if (rowArrivals.length < n) {
            int size = Math.max(n, rowArrivals.length * 2);
            rowArrivals = Arrays.copyOf(rowArrivals, size);
            scored = new LoadedModel.Scored[size];
            rowFailures = new String[size];
        }
    }

    /** Adds request {@code r} as a row to score. */
    void addRow(ConsumerRecord<byte[], byte[]> r, Example ex, long arrival) {
        int i = rows.size();
        rowArrivals[i] = arrival;
        scored[i] = null;
        rowFailures[i] = null;
        rows.add(r);
        rowExamples.add(ex);
        rowFeatures.add(ex.features());
    }

    /** Remembers that {@code r} gets a dead letter with {@code reason} when the batch is answered. */
    void refuse(ConsumerRecord<byte[], byte[]> r, String reason) {
        refused.add(r);
        refusedReasons.add(reason);
    }

    /** The next offset of every partition in the batch: what a commit after its answers covers. */
    Map<TopicPartition, OffsetAndMetadata> nextOffsets() {
        offsets.clear();
        int i = 0;
        while (i < pending.size()) {
            // Records come grouped by partition: one key and one offset object per run, not per record.
            ConsumerRecord<byte[], byte[]> first = pending.get(i);
            long last = first.offset();
            int j = i + 1;
            for (; j < pending.size() && pending.get(j).partition() == first.partition()
                    && pending.get(j).topic().equals(first.topic()); j++) {
                last = Math.max(last, pending.get(j).offset());
            }
            TopicPartition tp = new TopicPartition(first.topic(), first.partition());
            OffsetAndMetadata seen = offsets.get(tp);
            if (seen == null || seen.offset() <= last) {
                offsets.put(tp, new OffsetAndMetadata(last + 1));
            }
            i = j;
        }
        return offsets;
    }

    /** Returns the models retained for the batch; safe to call twice. */
    void release() {
        if (model != null) {
            model.release();
            model = null;
        }
        if (challenger != null) {
            challenger.release();
            challenger = null;
        }
    }
}
