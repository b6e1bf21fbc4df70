package io.streamlearn.core.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamlearn.core.kafka.Topics;
import io.streamlearn.core.model.ModelSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelRefusalTest {
    @TempDir
    Path dir;

    @Test
    void aRefusalHasItsOwnKeySoCompactionKeepsTheModelsManifestAndIsNoPromotion() {
        SnapshotStore store = new SnapshotStore(dir.resolve("store"));
        store.publish(new SnapshotDraft(ModelSpec.mlp("m", 4, 2, 8), new byte[] {1, 2}, 10, 2, 5, 0, "PyTorch", "cpu()",
                Map.of(ManifestMetrics.LOSS, 0.5), Map.of("topic", "t")));
        SnapshotManifest m = ModelRefusal.prepare(store, "m", 1, null);
        ProducerRecord<byte[], byte[]> r = ModelRefusal.record(Topics.defaults(), m, 42);

        assertThat(r.topic()).isEqualTo(Topics.defaults().models());
        assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo("m#refused");
        assertThat(ModelRefusal.isRefusal("m", r.key(), r.headers())).isTrue();
        assertThat(ModelRefusal.isRefusal("m#refused", r.key(), r.headers())).as("another model's key").isFalse();
        assertThat(ModelPromotion.isPromotion(r.headers())).isFalse();
        assertThat(new String(r.headers().lastHeader(ModelRefusal.REFUSED_AT_MS_HEADER).value(),
                StandardCharsets.UTF_8)).isEqualTo("42");
        assertThat(SnapshotManifest.fromJson(r.value())).isEqualTo(m);

        ProducerRecord<byte[], byte[]> promotion = ModelPromotion.record(Topics.defaults(), m, 42);
        assertThat(ModelRefusal.isRefusal("m", promotion.key(), promotion.headers())).isFalse();
        assertThatThrownBy(() -> ModelRefusal.prepare(store, "m", 7, null)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("cannot refuse m v7");
    }
}
