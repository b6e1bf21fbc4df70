package io.streamlearn.core.snapshot;

import io.streamlearn.core.kafka.Topics;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.util.Arrays;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;

/**
 * The monitor's refusal of a challenger on the models topic: the refused version's manifest under the key
 * {@code <model>#refused}, marked with the {@value #REFUSED_AT_MS_HEADER} header, so serving takes the challenger out
 * at once and never takes that version (or an older one of its store and lineage) as challenger again.
 *
 * <p>Why its own key: compaction keeps the last record per key, so under the model's key a refusal would displace
 * the newest manifest or promotion (and a restart would lose the champion). Model names cannot hold {@code #}, so the
 * key never meets a model's. One key per model keeps the topic small: the last refusal covers every older version of
 * its store and lineage, as live serving never goes back to a challenger older than one it ran. The key may hash to
 * another partition than the model's manifests, so serving applies a refusal whichever it reads first.
 */
public final class ModelRefusal {
    /** Record header of a refusal: when the monitor refused the version, epoch milliseconds. */
    public static final String REFUSED_AT_MS_HEADER = "streamlearn.refused-at-ms";
    /** Appended to the model name to make a refusal's key. */
    public static final String KEY_SUFFIX = "#refused";

    private ModelRefusal() {}

    /** The key of {@code model}'s refusals on the models topic. */
    public static byte[] key(String model) {
        return (model + KEY_SUFFIX).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The manifest of {@code version} of {@code model} as the refusal carries it, signed with {@code signingKey} when
     * one is given. Unlike a promotion the files are not checked: a damaged challenger is refused all the more.
     *
     * @throws IllegalStateException when the store has no manifest of the version
     */
    public static SnapshotManifest prepare(SnapshotStore store, String model, long version, PrivateKey signingKey) {
        SnapshotManifest m;
        try {
            m = store.manifest(model, version);
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot refuse " + model + " v" + version + " on the models topic: "
                    + e.getMessage(), e);
        }
        return ModelPromotion.signed(m, signingKey);
    }

    /** The record that refuses {@code manifest}'s version, keyed {@code <model>#refused}. */
    public static ProducerRecord<byte[], byte[]> record(Topics topics, SnapshotManifest manifest, long refusedAtMs) {
        return ModelPromotion.marked(topics, manifest.model() + KEY_SUFFIX, manifest, REFUSED_AT_MS_HEADER,
                refusedAtMs);
    }

    /** Whether a models-topic record keyed {@code key} with {@code headers} is a refusal of {@code model}. */
    public static boolean isRefusal(String model, byte[] key, Headers headers) {
        return key != null && Arrays.equals(key, key(model)) && ModelPromotion.has(headers, REFUSED_AT_MS_HEADER);
    }
}
