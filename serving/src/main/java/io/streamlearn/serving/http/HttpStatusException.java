package io.streamlearn.serving.http;

/** An HTTP request the endpoint answers with {@link #status()} and the message as the error. */
final class HttpStatusException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int status;

    HttpStatusException(int status, String message) {
        super(message);
        this.status = status;
    }

    int status() {
        return status;
    }
}
