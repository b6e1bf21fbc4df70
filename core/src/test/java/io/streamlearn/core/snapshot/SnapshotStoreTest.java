package io.streamlearn.core.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamlearn.core.model.ModelSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotStoreTest {
    @TempDir
    Path dir;

    private final ModelSpec spec = ModelSpec.mlp("m", 4, 2, 8);

    private SnapshotDraft draft(byte[] params) {
        return new SnapshotDraft(spec, params, 10, 2, 5, 0, "PyTorch", "cpu()", Map.of("acc", 0.5), Map.of());
    }

    @Test
    void publishesIncreasingVersionsWithManifestAndSpec() {
        SnapshotStore store = new SnapshotStore(dir, Clock.fixed(Instant.ofEpochMilli(1234), ZoneOffset.UTC));
        SnapshotManifest v1 = store.publish(draft(new byte[] {1, 2, 3}));
        SnapshotManifest v2 = store.publish(draft(new byte[] {4}));
        assertThat(v1.version()).isEqualTo(1);
        assertThat(v2.version()).isEqualTo(2);
        assertThat(v2.createdMs()).isEqualTo(1234);
        assertThat(store.latest("m")).contains(v2);
        assertThat(store.spec("m", 1)).isEqualTo(spec);
        assertThat(store.verify(v1)).isEqualTo(dir.resolve("m/1"));
        assertThat(SnapshotManifest.fromJson(v2.toJsonBytes())).isEqualTo(v2);
    }

    @Test
    void neverReusesAVersionUnderConcurrentPublishers() throws Exception {
        SnapshotStore store = new SnapshotStore(dir);
        List<Long> versions = publishConcurrently(40).stream().map(SnapshotManifest::version).toList();
        assertThat(versions).doesNotHaveDuplicates().hasSize(40);
        assertThat(store.versions("m")).hasSize(40);
        assertThat(store.latestVersion("m")).isEqualTo(40);
    }

    @Test
    void refusesSnapshotWhoseChecksumDoesNotMatch() throws Exception {
        SnapshotStore store = new SnapshotStore(dir);
        SnapshotManifest m = store.publish(draft(new byte[] {1, 2, 3}));
        Files.write(store.directory("m", 1).resolve(m.paramsFile()), new byte[] {1, 2, 4});
        assertThatThrownBy(() -> store.verify(m)).isInstanceOf(ChecksumMismatchException.class)
                .hasMessageContaining("but its manifest says " + m.paramsSha256());
    }

    @Test
    void hashesTheSpecAndEveryExtraFileAndRefusesAChangeToAnyOfThem() throws Exception {
        SnapshotStore store = new SnapshotStore(dir);
        SnapshotManifest m = store.publish(new SnapshotDraft(spec, new byte[] {1, 2, 3}, 10, 2, 5, 0, "PyTorch",
                "cpu()", Map.of(), Map.of(), null, new TreeMap<>(Map.of("trainer-state.bin", new byte[] {7, 7})), null));
        assertThat(m.files()).containsOnlyKeys(m.paramsFile(), SnapshotStore.SPEC, "trainer-state.bin");
        assertThat(m.files()).containsEntry(m.paramsFile(), m.paramsSha256())
                .containsEntry("trainer-state.bin", SnapshotStore.sha256(new byte[] {7, 7}));
        assertThat(store.read(m, "trainer-state.bin")).containsExactly(7, 7);
        assertThat(store.verify(m)).isEqualTo(dir.resolve("m/1"));

        Path specFile = store.directory("m", 1).resolve(SnapshotStore.SPEC);
        Files.writeString(specFile, ModelSpec.mlp("m", 4, 2, 9).toJson());
        assertThatThrownBy(() -> store.verify(m)).isInstanceOf(ChecksumMismatchException.class)
                .hasMessageContaining(SnapshotStore.SPEC);
        assertThatThrownBy(() -> store.read(m, "other.bin")).isInstanceOf(SnapshotException.class)
                .hasMessageContaining("records no sha256 for other.bin");
    }

    @Test
    void refusesExtraFilesThatWouldShadowTheStoresOwn() {
        for (String name : List.of("manifest.json", "spec.json", "m-0001.params", "../x", "a/b")) {
            assertThatThrownBy(() -> new SnapshotDraft(spec, new byte[] {1}, 1, 1, 1, 0, "e", "d", Map.of(), Map.of(),
                    null, new TreeMap<>(Map.of(name, new byte[] {1})), null)).as(name)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(name);
        }
    }

    @Test
    void refusesSnapshotWhoseSpecWasChangedAfterPublication() throws Exception {
        SnapshotStore store = new SnapshotStore(dir);
        SnapshotManifest m = store.publish(draft(new byte[] {1, 2, 3}));
        Files.writeString(store.directory("m", 1).resolve(SnapshotStore.SPEC), ModelSpec.mlp("m", 4, 2, 64).toJson());
        assertThatThrownBy(() -> store.verify(m)).isInstanceOf(ChecksumMismatchException.class)
                .hasMessageContaining(SnapshotStore.SPEC)
                .hasMessageContaining("but its manifest says " + m.sha256Of(SnapshotStore.SPEC));
    }

    @Test
    void keepsOneStoreIdForEveryPublisherOfTheStore() throws Exception {
        SnapshotStore store = new SnapshotStore(dir);
        assertThat(store.existingStoreId()).as("no id before the first snapshot").isEmpty();
        List<String> ids = publishConcurrently(8).stream().map(SnapshotManifest::storeId).toList();
        String id = store.existingStoreId().orElseThrow();
        assertThat(ids).containsOnly(id);
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).as("no temp file left beside the id")
                    .containsExactlyInAnyOrder("m", SnapshotStore.STORE_ID);
        }
    }

    @Test
    void aRecreatedStoreHasANewId() throws Exception {
        String first = new SnapshotStore(dir).publish(draft(new byte[] {1})).storeId();
        io.streamlearn.core.io.FileTrees.deleteRecursively(dir);
        SnapshotManifest again = new SnapshotStore(dir).publish(draft(new byte[] {1}));
        assertThat(again.version()).isEqualTo(1);
        assertThat(again.storeId()).isNotEqualTo(first);
    }

    @Test
    void refusesUnknownManifestFormats() {
        String json = "{\"format\":\"streamlearn.snapshot.v9\",\"model\":\"m\",\"version\":1,"
                + "\"params_file\":\"p\",\"params_sha256\":\"x\"}";
        assertThatThrownBy(() -> SnapshotManifest.fromJson(json.getBytes()))
                .hasMessageContaining("format 'streamlearn.snapshot.v9' is not supported");
    }

    /** {@code n} publishes of model m, each by its own store on {@link #dir}, from four threads at once. */
    private List<SnapshotManifest> publishConcurrently(int n) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<SnapshotManifest>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                futures.add(pool.submit(() -> new SnapshotStore(dir).publish(draft(new byte[] {9}))));
            }
            List<SnapshotManifest> published = new ArrayList<>();
            for (Future<SnapshotManifest> f : futures) {
                published.add(f.get());
            }
            return published;
        } finally {
            pool.shutdown();
        }
    }
}
