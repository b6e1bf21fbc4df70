package io.streamlearn.ingest.produce;

/** Ingest cannot go on: the broker is unreachable or refused records; the cause is kept. */
public class IngestException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public IngestException(String message, Throwable cause) {
        super(message, cause);
    }
}
