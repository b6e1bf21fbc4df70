package io.streamlearn.core.snapshot;

/** A snapshot cannot be published or loaded; the message names the snapshot and the fix. */
public class SnapshotException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public SnapshotException(String message) {
        super(message);
    }

    public SnapshotException(String message, Throwable cause) {
        super(message, cause);
    }
}
