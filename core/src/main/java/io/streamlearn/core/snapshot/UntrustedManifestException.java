package io.streamlearn.core.snapshot;

/** A manifest is unsigned or its signature does not verify with the trusted key: it must not be served. */
public class UntrustedManifestException extends SnapshotException {
    private static final long serialVersionUID = 1L;

    /** @param cause what failed while verifying, or null when the signature is missing or simply wrong */
    public UntrustedManifestException(String message, Throwable cause) {
        super(message, cause);
    }
}
