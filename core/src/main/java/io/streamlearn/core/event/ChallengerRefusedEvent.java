package io.streamlearn.core.event;

/**
 * The monitor refused a challenger: on the same labeled requests its served error was worse than the champion's
 * by more than the margin, so it stays out of production (the monitor never promotes it):
 * {@code {"type":"challenger_refused","component":"monitor","model":"mlp","version":3,"champion_version":2,
 * "labeled":1000,"error":0.41,"champion_error":0.09,"time_ms":1700000000000}}.
 *
 * @param model           model name
 * @param component       who decided: {@link PlatformEvent#MONITOR}
 * @param version         the refused challenger
 * @param championVersion the champion that keeps answering
 * @param labeled         labeled requests both scored, the comparison's size
 * @param error           the challenger's error rate on them
 * @param championError   the champion's error rate on them
 * @param timeMs          decision time, epoch milliseconds
 */
public record ChallengerRefusedEvent(String model, String component, long version, long championVersion,
        long labeled, double error, double championError, long timeMs) implements PlatformEvent {
    /** The value of the {@code type} field of refusal events. */
    public static final String TYPE = "challenger_refused";

    public ChallengerRefusedEvent {
        EventFields.decision(TYPE, model, component, version, championVersion, labeled);
    }

    @Override
    public String type() {
        return TYPE;
    }
}
