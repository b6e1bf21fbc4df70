package io.streamlearn.core.kafka;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Kafka client properties that streamlearn's delivery guarantees rest on: a user's pass-through
 * properties may repeat their safe value but never change it, so no {@code -X} or {@code --kafka-config}
 * entry can quietly turn exactly-once into at-most-once.
 */
public final class GuardedClientProperties {
    /** One guarded property: the values a user may give (empty: streamlearn sets it, never the user) and why. */
    record Guard(String property, Set<String> allowed, String why) {}

    static final List<Guard> GUARDS = List.of(
            new Guard("enable.auto.commit", Set.of("false"), "offsets are committed with Flink checkpoints and "
                    + "serving's transactions; an automatic commit would skip records that were never processed"),
            new Guard("isolation.level", Set.of("read_committed"), "uncommitted reads see the duplicates of "
                    + "aborted transactions, which breaks exactly-once downstream"),
            new Guard("enable.idempotence", Set.of("true"), "without it a retried send can duplicate or reorder "
                    + "records"),
            new Guard("acks", Set.of("all", "-1"), "fewer acknowledgements lose records when a broker fails"),
            new Guard("transactional.id", Set.of(), "serving and the trainer's sinks derive transactional ids "
                    + "per instance; one shared id would fence the other instances"),
            new Guard("group.id", Set.of(), "set the consumer group with --group-id, the same "
                    + "option in every component"),
            new Guard("key.serializer", Set.of(), "streamlearn's records are bytes with its own codecs"),
            new Guard("value.serializer", Set.of(), "streamlearn's records are bytes with its own codecs"),
            new Guard("key.deserializer", Set.of(), "streamlearn's records are bytes with its own codecs"),
            new Guard("value.deserializer", Set.of(), "streamlearn's records are bytes with its own codecs"));

    private GuardedClientProperties() {}

    /**
     * Refuses the first user property that would change a guarded setting.
     *
     * @param source where the properties came from, for the message (e.g. "-X" or the config file's path)
     * @throws GuardedPropertyException naming the property, the value given, what is allowed and why
     */
    public static void check(Map<String, String> userProperties, String source) {
        for (Guard g : GUARDS) {
            String given = userProperties.get(g.property());
            if (given == null) {
                continue;
            }
            String value = given.trim();
            if (g.allowed().stream().anyMatch(a -> a.equalsIgnoreCase(value))) {
                continue;
            }
            String allowed = g.allowed().isEmpty() ? "it is set by streamlearn and may not be given"
                    : "only " + String.join(" or ", g.allowed().stream().sorted().toList()) + " is allowed";
            throw new GuardedPropertyException("Kafka property " + g.property() + "=" + given + " from " + source
                    + " is refused: " + allowed + ", because " + g.why() + ". Remove it.");
        }
    }

    /** A user property that would undo a delivery guarantee. */
    public static final class GuardedPropertyException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        GuardedPropertyException(String message) {
            super(message);
        }
    }
}
