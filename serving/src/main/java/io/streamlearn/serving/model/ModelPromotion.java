package io.streamlearn.serving.model;

import io.streamlearn.core.kafka.Topics;
import io.streamlearn.core.snapshot.SnapshotManifest;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * An operator's promotion on the models topic: an already published version's manifest announced again,
 * marked with the {@value #PROMOTED_AT_MS_HEADER} header so serving follows it even when it is older.
 *
 * <p>Why a header and not a manifest field: the manifest is the snapshot's immutable record of how it was
 * made (and its bytes are what the store holds); a promotion is an event about the snapshot. The header
 * survives compaction with its record, so a serving instance that restarts after the promotion still
 * serves the promoted version. See {@link ModelSelection} for how serving decides.
 */
public final class ModelPromotion {
    /** Record header of a promotion: when the operator promoted the version, epoch milliseconds. */
    public static final String PROMOTED_AT_MS_HEADER = "streamlearn.promoted-at-ms";

    private ModelPromotion() {}

    /** The record that promotes {@code manifest}: keyed by the model name like every manifest on the topic. */
    public static ProducerRecord<byte[], byte[]> record(Topics topics, SnapshotManifest manifest, long promotedAtMs) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(PROMOTED_AT_MS_HEADER, Long.toString(promotedAtMs).getBytes(StandardCharsets.UTF_8));
        headers.add(io.streamlearn.core.example.ContentTypes.HEADER,
                io.streamlearn.core.example.ContentTypes.JSON.getBytes(StandardCharsets.UTF_8));
        return new ProducerRecord<>(topics.models(), null, manifest.model().getBytes(StandardCharsets.UTF_8),
                manifest.toJsonBytes(), headers);
    }

    /** Whether a models-topic record with {@code headers} is a promotion. */
    public static boolean isPromotion(Headers headers) {
        Header h = headers.lastHeader(PROMOTED_AT_MS_HEADER);
        return h != null && h.value() != null;
    }
}
