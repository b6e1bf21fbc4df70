package io.streamlearn.core.example;

/** A record could not be decoded or encoded; the message says what is wrong and where. */
public class CodecException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CodecException(String message) {
        super(message);
    }

    public CodecException(String message, Throwable cause) {
        super(message, cause);
    }
}
