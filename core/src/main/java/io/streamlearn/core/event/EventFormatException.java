package io.streamlearn.core.event;

/** A value on the events topic that is not an event this reader knows: bad JSON, an unknown type, a missing field. */
public class EventFormatException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public EventFormatException(String message) {
        super(message);
    }

    public EventFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
