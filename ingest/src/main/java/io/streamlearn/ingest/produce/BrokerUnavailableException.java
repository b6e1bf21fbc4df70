package io.streamlearn.ingest.produce;

/** The Kafka broker could not be reached, or stopped acknowledging, within the configured time. */
public class BrokerUnavailableException extends IngestException {
    private static final long serialVersionUID = 1L;

    public BrokerUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
