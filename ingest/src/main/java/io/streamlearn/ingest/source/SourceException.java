package io.streamlearn.ingest.source;

/** A source cannot be opened or read (missing file, bad header, I/O error); the cause is kept. */
public class SourceException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public SourceException(String message) {
        super(message);
    }

    public SourceException(String message, Throwable cause) {
        super(message, cause);
    }
}
