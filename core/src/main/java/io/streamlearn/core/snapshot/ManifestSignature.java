package io.streamlearn.core.snapshot;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.SignatureException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/**
 * Ed25519 signatures of snapshot manifests with the JDK's own provider: a publisher holding the private key signs
 * {@link SnapshotManifest#signedContent()} (every field and file hash, not the signature), and serving, holding only
 * the public key, refuses a manifest that is unsigned or whose signature does not verify, so a host that can write
 * the models topic or the store but has no private key cannot make serving load anything it forged.
 *
 * <p>Keys are read from files as OpenSSL writes them ({@code openssl genpkey -algorithm ed25519} and {@code openssl
 * pkey -pubout}): PKCS#8 private keys and X.509 public keys, PEM or DER.
 */
public final class ManifestSignature {
    static final String ALGORITHM = "Ed25519";

    private ManifestSignature() {}

    /** The base64 signature of {@code m}'s content (its own signature field is not covered) with {@code key}. */
    public static String sign(SnapshotManifest m, PrivateKey key) {
        try {
            Signature s = Signature.getInstance(ALGORITHM);
            s.initSign(key);
            s.update(m.signedContent());
            return Base64.getEncoder().encodeToString(s.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot sign the manifest of " + m.model() + " v" + m.version()
                    + " with a " + key.getAlgorithm() + " key: an " + ALGORITHM + " private key is needed", e);
        }
    }

    /**
     * Checks that {@code m} carries a signature of its content by the private key of {@code key}.
     *
     * @throws UntrustedManifestException when it is unsigned, the signature is malformed or does not verify
     */
    public static void verify(SnapshotManifest m, PublicKey key) {
        String what = "manifest of " + m.model() + " v" + m.version();
        if (m.signature() == null || m.signature().isEmpty()) {
            throw new UntrustedManifestException(what + " is unsigned but serving verifies signatures "
                    + "(--verify-key-file): publish it with a trainer, or promote it with models promote, given "
                    + "--signing-key-file", null);
        }
        boolean valid;
        try {
            Signature s = Signature.getInstance(ALGORITHM);
            s.initVerify(key);
            s.update(m.signedContent());
            valid = s.verify(Base64.getDecoder().decode(m.signature()));
        } catch (IllegalArgumentException | SignatureException e) {
            throw new UntrustedManifestException(what + ": its signature is malformed (" + e.getMessage()
                    + "); the manifest was not written by a streamlearn publisher", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot verify " + ALGORITHM + " signatures with a "
                    + key.getAlgorithm() + " key", e);
        }
        if (!valid) {
            throw new UntrustedManifestException(what + ": its signature does not verify with the trusted public "
                    + "key: the manifest was changed after signing, or signed with another key. Do not serve it; "
                    + "publish with the private key that matches --verify-key-file", null);
        }
    }

    /** The PKCS#8 Ed25519 private key in {@code file} (PEM or DER). */
    public static PrivateKey privateKey(Path file) {
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePrivate(new PKCS8EncodedKeySpec(der(file, "PRIVATE KEY")));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("signing key " + file + " is not a PKCS#8 " + ALGORITHM
                    + " private key (" + e.getMessage() + "); create one with: openssl genpkey -algorithm ed25519", e);
        }
    }

    /** The X.509 Ed25519 public key in {@code file} (PEM or DER). */
    public static PublicKey publicKey(Path file) {
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(der(file, "PUBLIC KEY")));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("verify key " + file + " is not an X.509 " + ALGORITHM
                    + " public key (" + e.getMessage() + "); derive it from the signing key with: openssl pkey -in "
                    + "signing.pem -pubout", e);
        }
    }

    /** The DER bytes of {@code file}: its PEM block of {@code label} decoded, or the file itself when not PEM. */
    private static byte[] der(Path file, String label) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read key file " + file, e);
        }
        String text = new String(bytes, StandardCharsets.US_ASCII);
        String begin = "-----BEGIN " + label + "-----";
        int from = text.indexOf(begin);
        if (from < 0) {
            return bytes;
        }
        int to = text.indexOf("-----END " + label + "-----", from);
        if (to < 0) {
            throw new IllegalArgumentException("key file " + file + ": '" + begin + "' without its END line");
        }
        try {
            return Base64.getMimeDecoder().decode(text.substring(from + begin.length(), to));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("key file " + file + ": the PEM block is not base64: " + e.getMessage(),
                    e);
        }
    }

    /** {@code key} as a PEM block, as OpenSSL writes it; tests and tools write key files with it. */
    public static String pem(java.security.Key key) {
        String label = key instanceof PrivateKey ? "PRIVATE KEY" : "PUBLIC KEY";
        return "-----BEGIN " + label + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'})
                .encodeToString(key.getEncoded()) + "\n-----END " + label + "-----\n";
    }
}
