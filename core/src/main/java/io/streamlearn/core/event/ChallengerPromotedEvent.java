package io.streamlearn.core.event;

/**
 * The monitor promoted a challenger: on the same labeled requests its served error was not worse than the
 * champion's by more than the margin, so it wrote a promotion of it to the models topic:
 * {@code {"type":"challenger_promoted","component":"monitor","model":"mlp","version":3,"champion_version":2,
 * "labeled":1000,"error":0.08,"champion_error":0.09,"time_ms":1700000000000}}.
 *
 * @param model           model name
 * @param component       who decided: {@link PlatformEvent#MONITOR}
 * @param version         the challenger, now promoted
 * @param championVersion the champion it replaces
 * @param labeled         labeled requests both scored, the comparison's size
 * @param error           the challenger's error rate on them
 * @param championError   the champion's error rate on them
 * @param timeMs          decision time, epoch milliseconds
 */
public record ChallengerPromotedEvent(String model, String component, long version, long championVersion,
        long labeled, double error, double championError, long timeMs) implements PlatformEvent {
    /** The value of the {@code type} field of promotion events. */
    public static final String TYPE = "challenger_promoted";

    public ChallengerPromotedEvent {
        EventFields.decision(TYPE, model, component, version, championVersion, labeled);
    }

    @Override
    public String type() {
        return TYPE;
    }
}
