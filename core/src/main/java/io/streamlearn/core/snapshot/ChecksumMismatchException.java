package io.streamlearn.core.snapshot;

/** A snapshot's parameter file does not match the sha256 its manifest recorded: it must not be served. */
public class ChecksumMismatchException extends SnapshotException {
    private static final long serialVersionUID = 1L;

    public ChecksumMismatchException(String message) {
        super(message);
    }
}
