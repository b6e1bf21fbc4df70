package io.streamlearn.core.snapshot;

/** A manifest is unsigned or its signature does not verify with the trusted key: it must not be served. */
public class UntrustedManifestException extends SnapshotException {
    private static final long serialVersionUID = 1L;

    public UntrustedManifestException(String message) {
        super(message);
    }

    public UntrustedManifestException(String message, Throwable cause) {
        super(message, cause);
    }
}
