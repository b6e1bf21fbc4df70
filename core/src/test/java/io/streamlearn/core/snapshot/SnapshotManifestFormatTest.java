package io.streamlearn.core.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamlearn.core.model.ModelSpec;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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

    @Test
    void readsTheGoldenManifestOfFormatV1() throws IOException {
        SnapshotManifest m = SnapshotManifest.fromJson(golden("golden-v1/manifest.json"));
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
        assertThat(SnapshotManifest.fromJson(m.toJsonBytes())).as("a v1 manifest stays v1 when rewritten")
                .isEqualTo(m);
    }

    @Test
    void publishedManifestsCarryTheBuildVersionTheSourceOffsetsTheFileHashesAndTheStoreId() throws IOException {
        SnapshotStore store = new SnapshotStore(dir);
        TreeMap<Integer, Long> offsets = new TreeMap<>(Map.of(0, 1200L, 1, 1180L, 2, 0L));
        SnapshotManifest m = store.publish(new SnapshotDraft(ModelSpec.mlp("m", 4, 2, 8), new byte[] {1}, 10, 2, 5,
                0, "PyTorch", "cpu()", Map.of(ManifestMetrics.LOSS, 0.5), Map.of("topic", "t"), offsets));
        assertThat(m.format()).isEqualTo(SnapshotManifest.FORMAT);
        assertThat(m.streamlearnVersion()).isEqualTo(StreamlearnVersion.get());
        assertThat(m.sourceOffsets()).containsExactlyEntriesOf(offsets);
        assertThat(m.files()).containsOnlyKeys(m.paramsFile(), SnapshotStore.SPEC);
        assertThat(m.sha256Of(SnapshotStore.SPEC)).as("spec.json's hash lives in files").isEqualTo(SnapshotStore.sha256(
                Files.readAllBytes(store.directory("m", 1).resolve(SnapshotStore.SPEC))));
        assertThat(m.storeId()).isEqualTo(store.storeId()).isNotBlank();
        SnapshotManifest read = store.manifest("m", 1);
        assertThat(read).isEqualTo(m);
        assertThat(new String(m.toJsonBytes(), StandardCharsets.UTF_8)).contains("\"source_offsets\"")
                .contains("\"streamlearn_version\" : \"" + StreamlearnVersion.get() + "\"").contains("\"files\"")
                .contains("\"store_id\"").as("one place for the spec's hash").doesNotContain("spec_sha256");
    }

    @Test
    void readsTheGoldenManifestOfFormatV2() throws IOException {
        SnapshotManifest m = SnapshotManifest.fromJson(golden("golden-v2/manifest.json"));
        assertThat(m.format()).isEqualTo(SnapshotManifest.FORMAT_V2);
        assertThat(m.version()).isEqualTo(4);
        assertThat(m.streamlearnVersion()).isEqualTo("0.1.0");
        assertThat(m.sourceOffsets()).containsExactlyEntriesOf(new TreeMap<>(Map.of(0, 2010L, 1, 1990L)));
        assertThat(m.files()).as("v2 hashed only the parameter file").isEmpty();
        assertThat(m.sha256Of(m.paramsFile())).isEqualTo(m.paramsSha256());
        assertThat(m.sha256Of(SnapshotStore.SPEC)).as("v2 did not hash the spec").isNull();
        assertThat(m.storeId()).as("v2 had no store id").isNull();
        assertThat(SnapshotManifest.fromJson(m.toJsonBytes())).as("a v2 manifest stays v2 when rewritten")
                .isEqualTo(m);
    }

    @Test
    void loadsTheGoldenSnapshotFolderOfFormatV3() throws Exception {
        Path root = Path.of(SnapshotManifestFormatTest.class.getResource("golden-v3").toURI());
        SnapshotStore store = new SnapshotStore(root);
        SnapshotManifest m = store.manifest("golden", 1);
        assertThat(m.format()).isEqualTo("streamlearn.snapshot.v3");
        assertThat(m.files()).containsOnlyKeys("golden-0000.params", SnapshotStore.SPEC, "extra.bin");
        assertThat(m.storeId()).isEqualTo("6f1c0b7e-3d2a-4c55-9a51-8c1f0e2d7b44");
        assertThat(m.sourceOffsets()).containsExactly(Map.entry(0, 60L), Map.entry(1, 52L));
        assertThat(SnapshotManifest.fromJson(m.toJsonBytes())).isEqualTo(m);
        assertThat(store.verify(m)).isEqualTo(root.resolve("golden/1"));
        assertThat(store.read(m, "extra.bin")).containsExactly(4, 5, 6);
        assertThat(store.spec("golden", 1)).isEqualTo(ModelSpec.mlp("golden", 4, 2, 8));
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
