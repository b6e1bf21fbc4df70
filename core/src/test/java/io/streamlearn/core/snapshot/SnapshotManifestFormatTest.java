package io.streamlearn.core.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamlearn.core.model.ModelSpec;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotManifestFormatTest {
    @TempDir
    Path dir;

    private static byte[] golden(String name) throws IOException {
        try (InputStream in = SnapshotManifestFormatTest.class.getResourceAsStream(name)) {
            assertThat(in).as("golden manifest " + name).isNotNull();
            return in.readAllBytes();
        }
    }

    /** The golden manifest of format {@code version}, checked to rewrite to itself: an old format stays that format. */
    private static SnapshotManifest readGolden(String version) throws IOException {
        SnapshotManifest m = SnapshotManifest.fromJson(golden("golden-" + version + "/manifest.json"));
        assertThat(SnapshotManifest.fromJson(m.toJsonBytes())).as("a %s manifest stays %s when rewritten", version,
                version).isEqualTo(m);
        return m;
    }

    @Test
    void readsTheGoldenManifestOfFormatV1() throws IOException {
        SnapshotManifest m = readGolden("v1");
        assertThat(m.format()).isEqualTo(SnapshotManifest.FORMAT_V1);
        assertThat(m.model()).isEqualTo("blobs");
        assertThat(m.version()).isEqualTo(3);
        assertThat(m.examplesSeen()).isEqualTo(5400);
        assertThat(m.checkpointId()).isEqualTo(7);
        assertThat(m.parentVersion()).isEqualTo(2);
        assertThat(m.paramsFile()).isEqualTo("blobs-0000.params");
        assertThat(m.metric(ManifestMetrics.HOLDOUT_ACCURACY)).isEqualTo(0.968);
        assertThat(m.metric(ManifestMetrics.CHAMPION_HOLDOUT_ACCURACY)).isNaN();
        assertThat(m.metric(ManifestMetrics.f1(0))).isEqualTo(0.975);
        assertThat(m.source()).containsEntry("topic", "streamlearn.examples").containsEntry("examples_seen", "6000");
        assertThat(m.streamlearnVersion()).as("v1 had no code version").isNull();
        assertThat(m.sourceOffsets()).as("v1 had no offsets").isEmpty();
    }

    @Test
    void readsTheGoldenManifestOfFormatV2() throws IOException {
        SnapshotManifest m = readGolden("v2");
        assertThat(m.format()).isEqualTo(SnapshotManifest.FORMAT_V2);
        assertThat(m.version()).isEqualTo(3);
        assertThat(m.streamlearnVersion()).isEqualTo("0.1.0-SNAPSHOT");
        assertThat(m.sourceOffsets()).containsExactly(Map.entry(0, 3012L), Map.entry(1, 2988L));
        assertThat(m.specSha256()).as("v2 did not hash the spec").isNull();
        assertThat(m.storeId()).as("v2 had no store id").isNull();
    }

    @Test
    void readsTheGoldenManifestOfFormatV3() throws IOException {
        SnapshotManifest m = readGolden("v3");
        assertThat(m.format()).isEqualTo(SnapshotManifest.FORMAT);
        assertThat(m.paramsSha256()).isEqualTo("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
        assertThat(m.specSha256()).isEqualTo("2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae");
        assertThat(m.storeId()).isEqualTo("6f1c0b7e-3d2a-4c55-9a51-8c1f0e2d7b44");
        assertThat(m.sourceOffsets()).containsExactly(Map.entry(0, 3012L), Map.entry(1, 2988L));
    }

    @Test
    void publishedManifestsCarryTheSpecHashAndTheStoreId() throws IOException {
        SnapshotStore store = new SnapshotStore(dir);
        SnapshotManifest m = store.publish(new SnapshotDraft(ModelSpec.mlp("m", 4, 2, 8), new byte[] {1}, 10, 2, 5,
                0, "PyTorch", "cpu()", Map.of(), Map.of()));
        assertThat(m.specSha256()).isEqualTo(SnapshotStore.sha256(
                java.nio.file.Files.readAllBytes(store.directory("m", 1).resolve(SnapshotStore.SPEC))));
        assertThat(m.storeId()).isEqualTo(store.storeId()).isNotBlank();
        assertThat(new String(m.toJsonBytes(), StandardCharsets.UTF_8)).contains("\"spec_sha256\"")
                .contains("\"store_id\"");
    }

    @Test
    void publishedManifestsCarryTheBuildVersionAndTheSourceOffsets() {
        SnapshotStore store = new SnapshotStore(dir);
        TreeMap<Integer, Long> offsets = new TreeMap<>(Map.of(0, 1200L, 1, 1180L, 2, 0L));
        SnapshotManifest m = store.publish(new SnapshotDraft(ModelSpec.mlp("m", 4, 2, 8), new byte[] {1}, 10, 2, 5,
                0, "PyTorch", "cpu()", Map.of(ManifestMetrics.LOSS, 0.5), Map.of("topic", "t"), offsets));
        assertThat(m.format()).isEqualTo(SnapshotManifest.FORMAT);
        assertThat(m.streamlearnVersion()).isEqualTo(StreamlearnVersion.get());
        assertThat(m.sourceOffsets()).containsExactlyEntriesOf(offsets);
        SnapshotManifest read = store.manifest("m", 1);
        assertThat(read).isEqualTo(m);
        assertThat(new String(m.toJsonBytes(), StandardCharsets.UTF_8)).contains("\"source_offsets\"")
                .contains("\"streamlearn_version\" : \"" + StreamlearnVersion.get() + "\"");
    }

    @Test
    void theVersionComesFromTheBuildNotALiteral() {
        assertThat(StreamlearnVersion.get()).as("filled in by Maven resource filtering")
                .isNotEqualTo(StreamlearnVersion.UNKNOWN).doesNotContain("${").matches("\\d+\\.\\d+\\.\\d+.*");
    }

    @Test
    void refusesUnknownFormatsNamingTheOnesItReads() {
        byte[] future = ("{\"format\":\"streamlearn.snapshot.v9\",\"model\":\"m\",\"version\":1,"
                + "\"params_file\":\"p\",\"params_sha256\":\"x\"}").getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> SnapshotManifest.fromJson(future)).hasMessageContaining("streamlearn.snapshot.v9")
                .hasMessageContaining(SnapshotManifest.FORMAT).hasMessageContaining(SnapshotManifest.FORMAT_V2)
                .hasMessageContaining(SnapshotManifest.FORMAT_V1);
    }
}
