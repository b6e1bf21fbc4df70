package io.streamlearn.core.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamlearn.core.model.ModelSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManifestSignatureTest {
    @TempDir
    Path dir;

    private static KeyPair ed25519() throws Exception {
        return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    }

    private SnapshotManifest publishSignedBy(KeyPair keys) {
        SnapshotStore store = new SnapshotStore(dir.resolve("store"), Clock.systemUTC(), keys.getPrivate());
        return store.publish(new SnapshotDraft(ModelSpec.mlp("m", 4, 2, 8), new byte[] {1, 2}, 10, 2, 5, 0, "PyTorch",
                "cpu()", Map.of(ManifestMetrics.LOSS, 0.5), Map.of("topic", "t"), null, null, "lineage-a"));
    }

    @Test
    void aStoreWithASigningKeySignsWhatItWritesAndTheSignatureVerifiesAfterTheTopicRoundTrip() throws Exception {
        KeyPair keys = ed25519();
        SnapshotManifest m = publishSignedBy(keys);
        assertThat(m.signature()).isNotBlank();
        assertThat(m.lineageId()).isEqualTo("lineage-a");
        SnapshotManifest read = SnapshotManifest.fromJson(m.toJsonBytes());
        ManifestSignature.verify(read, keys.getPublic());
        ManifestSignature.verify(new SnapshotStore(dir.resolve("store")).manifest("m", 1), keys.getPublic());
    }

    @Test
    void refusesAManifestChangedAfterSigning() throws Exception {
        KeyPair keys = ed25519();
        SnapshotManifest m = publishSignedBy(keys);
        String json = new String(m.toJsonBytes(), StandardCharsets.UTF_8);
        SnapshotManifest forged = SnapshotManifest.fromJson(json.replace("\"version\" : 1", "\"version\" : 2")
                .getBytes(StandardCharsets.UTF_8));
        assertThat(forged.version()).isEqualTo(2);
        assertThatThrownBy(() -> ManifestSignature.verify(forged, keys.getPublic()))
                .isInstanceOf(UntrustedManifestException.class).hasMessageContaining("m v2")
                .hasMessageContaining("does not verify");
        SnapshotManifest otherHash = new SnapshotManifest(m.format(), m.model(), m.version(), m.createdMs(),
                m.examplesSeen(), m.stepsSeen(), m.checkpointId(), m.parentVersion(), m.paramsFile(), m.paramsSha256(),
                m.engine(), m.device(), m.metrics(), m.source(), m.streamlearnVersion(), m.sourceOffsets(),
                new java.util.TreeMap<>(Map.of(m.paramsFile(), m.paramsSha256(), SnapshotStore.SPEC, "00")), m.storeId(),
                m.lineageId(),
                m.signature());
        assertThatThrownBy(() -> ManifestSignature.verify(otherHash, keys.getPublic()))
                .as("the file hashes are covered").isInstanceOf(UntrustedManifestException.class);
    }

    @Test
    void signsTheJdksDigitsOfAMetricSoManifestsSignedByEarlierVersionsStillVerify() {
        // Java 17 writes 2e23 as 1.9999999999999998E23, the shortest-decimal writers (Schubfach, Java 19+) as 2.0E23:
        // the signed bytes must stay the ones earlier publishers signed.
        SnapshotStore store = new SnapshotStore(dir.resolve("digits"));
        SnapshotManifest m = store.publish(new SnapshotDraft(ModelSpec.mlp("m", 4, 2, 8), new byte[] {1, 2}, 10, 2, 5,
                0, "PyTorch", "cpu()", Map.of(ManifestMetrics.LOSS, 2e23), Map.of("topic", "t"), null, null, "l"));
        assertThat(new String(m.signedContent(), StandardCharsets.UTF_8)).contains(Double.toString(2e23));
    }

    @Test
    void refusesUnsignedManifestsAndOnesSignedByAnotherKey() throws Exception {
        KeyPair trusted = ed25519();
        SnapshotManifest unsigned = publishSignedBy(trusted).withSignature(null);
        assertThatThrownBy(() -> ManifestSignature.verify(unsigned, trusted.getPublic()))
                .isInstanceOf(UntrustedManifestException.class).hasMessageContaining("unsigned")
                .hasMessageContaining("--signing-key-file");
        SnapshotManifest otherKey = publishSignedBy(ed25519());
        assertThatThrownBy(() -> ManifestSignature.verify(otherKey, trusted.getPublic()))
                .isInstanceOf(UntrustedManifestException.class).hasMessageContaining("another key");
        SnapshotManifest garbage = otherKey.withSignature("not base64!");
        assertThatThrownBy(() -> ManifestSignature.verify(garbage, trusted.getPublic()))
                .isInstanceOf(UntrustedManifestException.class).hasMessageContaining("malformed");
    }

    @Test
    void readsKeysAsPemOrDerAndNamesTheFileOfABadOne() throws Exception {
        KeyPair keys = ed25519();
        Path pemPrivate = Files.writeString(dir.resolve("signing.pem"), ManifestSignature.pem(keys.getPrivate()));
        Path derPrivate = Files.write(dir.resolve("signing.der"), keys.getPrivate().getEncoded());
        Path pemPublic = Files.writeString(dir.resolve("verify.pem"), ManifestSignature.pem(keys.getPublic()));
        Path derPublic = Files.write(dir.resolve("verify.der"), keys.getPublic().getEncoded());
        assertThat(ManifestSignature.privateKey(pemPrivate)).isEqualTo(keys.getPrivate());
        assertThat(ManifestSignature.privateKey(derPrivate)).isEqualTo(keys.getPrivate());
        assertThat(ManifestSignature.publicKey(pemPublic)).isEqualTo(keys.getPublic());
        assertThat(ManifestSignature.publicKey(derPublic)).isEqualTo(keys.getPublic());
        assertThatThrownBy(() -> ManifestSignature.privateKey(pemPublic)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(pemPublic.toString()).hasMessageContaining("openssl genpkey");
    }
}
