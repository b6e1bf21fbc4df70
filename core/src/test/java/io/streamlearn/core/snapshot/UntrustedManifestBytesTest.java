package io.streamlearn.core.snapshot;

import io.streamlearn.core.testkit.UntrustedBytes;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The manifest parser on hostile bytes (anyone who can write the models topic feeds it): a manifest or an
 * {@link IllegalArgumentException}, which serving turns into a refused version, nothing else. Generic in the
 * manifest's fields: the seeds are whatever {@link SnapshotManifest#toJsonBytes()} writes today.
 */
class UntrustedManifestBytesTest {
    @Property(tries = 10_000, seed = "16")
    void parserReturnsAManifestOrRefusesWithIllegalArgumentException(@ForAll("untrusted") byte[] json) {
        UntrustedBytes.assertDecodesOrRefuses(json, IllegalArgumentException.class, SnapshotManifest::fromJson);
    }

    @Provide
    Arbitrary<byte[]> untrusted() {
        Arbitrary<byte[]> written = Arbitraries.of(written("golden-v1/manifest.json"),
                written("golden-v2/manifest.json"), written("golden-v3/golden/1/manifest.json"));
        return UntrustedBytes.untrusted(written, UntrustedBytes.JSON_START);
    }

    /** A golden manifest as this version writes it again. */
    private static byte[] written(String golden) {
        try (InputStream in = UntrustedManifestBytesTest.class.getResourceAsStream(golden)) {
            return SnapshotManifest.fromJson(in.readAllBytes()).toJsonBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
