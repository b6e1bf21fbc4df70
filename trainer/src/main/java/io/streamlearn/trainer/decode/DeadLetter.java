package io.streamlearn.trainer.decode;

import java.io.Serializable;

/** A record that could not be trained on, with the reason and its source position, bound for the DLQ. */
public class DeadLetter implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final String REASON_HEADER = io.streamlearn.core.example.DeadLetterHeaders.REASON;
    public static final String SOURCE_HEADER = io.streamlearn.core.example.DeadLetterHeaders.SOURCE;

    public RawRecord record;
    public String reason;

    public DeadLetter() {}

    public DeadLetter(RawRecord record, String reason) {
        this.record = record;
        this.reason = reason;
    }
}
