package io.streamlearn.core.snapshot;

import io.streamlearn.core.kafka.Topics;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
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
 * serves the promoted version. See {@code io.streamlearn.serving.model.ModelSelection} for how serving decides.
 */
public final class ModelPromotion {
    /** Record header of a promotion: when the operator promoted the version, epoch milliseconds. */
    public static final String PROMOTED_AT_MS_HEADER = "streamlearn.promoted-at-ms";

    private ModelPromotion() {}

    /**
     * The manifest of {@code version} of {@code model} as a promotion announces it: checked against the store first
     * (serving would refuse it anyway; the promoter is told while it can still pick another version), then signed
     * with {@code signingKey} when one is given, so a version published unsigned can be promoted once serving
     * verifies. {@code streamlearn models promote} and the monitor's promotions and rollbacks both go through here.
     *
     * @param signingKey the Ed25519 key of {@code --signing-key-file}, or null to announce the manifest as published
     * @throws IllegalStateException when the store does not hold the version intact; the message says which and why
     */
    public static SnapshotManifest prepare(SnapshotStore store, String model, long version, PrivateKey signingKey) {
        SnapshotManifest m = store.manifest(model, version);
        try {
            store.verify(m);
        } catch (SnapshotException e) {
            throw new IllegalStateException("will not promote " + model + " v" + version + ": " + e.getMessage(), e);
        }
        return signed(m, signingKey);
    }

    /** {@code m} signed with {@code signingKey}, or as it is when the key is null. */
    static SnapshotManifest signed(SnapshotManifest m, PrivateKey signingKey) {
        return signingKey == null ? m : m.withSignature(ManifestSignature.sign(m, signingKey));
    }

    /** The record that promotes {@code manifest}: keyed by the model name like every manifest on the topic. */
    public static ProducerRecord<byte[], byte[]> record(Topics topics, SnapshotManifest manifest, long promotedAtMs) {
        return marked(topics, manifest.model(), manifest, PROMOTED_AT_MS_HEADER, promotedAtMs);
    }

    /** Whether a models-topic record with {@code headers} is a promotion. */
    public static boolean isPromotion(Headers headers) {
        return has(headers, PROMOTED_AT_MS_HEADER);
    }

    /** {@code manifest} as a JSON record keyed {@code key}, marked with {@code header}: {@code atMs}. */
    static ProducerRecord<byte[], byte[]> marked(Topics topics, String key, SnapshotManifest manifest, String header,
            long atMs) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(header, Long.toString(atMs).getBytes(StandardCharsets.UTF_8));
        headers.add(io.streamlearn.core.example.ContentTypes.HEADER,
                io.streamlearn.core.example.ContentTypes.JSON.getBytes(StandardCharsets.UTF_8));
        return new ProducerRecord<>(topics.models(), null, key.getBytes(StandardCharsets.UTF_8),
                manifest.toJsonBytes(), headers);
    }

    /** Whether {@code headers} hold {@code header} with a value. */
    static boolean has(Headers headers, String header) {
        Header h = headers.lastHeader(header);
        return h != null && h.value() != null;
    }
}
