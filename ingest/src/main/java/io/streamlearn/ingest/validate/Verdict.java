package io.streamlearn.ingest.validate;

/** The outcome of checking one source record: a value to send, or a dead letter to write. */
public sealed interface Verdict permits Verdict.Accepted, Verdict.Rejected {

    /**
     * A valid example, encoded.
     *
     * @param id    the example id, the Kafka key
     * @param value the encoded example
     */
    record Accepted(String id, byte[] value) implements Verdict {
        public Accepted {
            if (id == null || id.isEmpty() || value == null) {
                throw new IllegalArgumentException("an accepted record needs an id and a value");
            }
        }
    }

    /**
     * A rejected record, bound for the dead-letter topic.
     *
     * @param reason      kind of problem
     * @param message     the full reason, naming the example and the expected value
     * @param key         the example id when known, else null
     * @param original    the bytes as read (or as encoded, for generated examples)
     * @param contentType media type of {@code original}
     * @param position    where the source read it
     */
    record Rejected(RejectReason reason, String message, String key, byte[] original, String contentType,
            String position) implements Verdict {
        public Rejected {
            if (reason == null || message == null || original == null || contentType == null || position == null) {
                throw new IllegalArgumentException("a rejected record needs reason, message, original bytes, content "
                        + "type and position; got " + reason + ", " + message + ", " + position);
            }
        }
    }
}
