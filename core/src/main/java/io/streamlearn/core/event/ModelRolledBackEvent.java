package io.streamlearn.core.event;

/**
 * The monitor rolled a model back: the served error of the version in production, over its last labeled
 * predictions, rose above the previous version's by more than the margin, so it promoted the previous version again:
 * {@code {"type":"model_rolled_back","component":"monitor","model":"mlp","version":1,"from_version":2,
 * "labeled":1000,"error":0.45,"previous_error":0.1,"time_ms":1700000000000}}.
 *
 * @param model         model name
 * @param component     who decided: {@link PlatformEvent#MONITOR}
 * @param version       the version promoted again, now in production
 * @param fromVersion   the version rolled back, never promoted again by the monitor
 * @param labeled       labeled predictions of {@code fromVersion} the decision is over
 * @param error         {@code fromVersion}'s error rate over them
 * @param previousError {@code version}'s error rate over its last labeled predictions
 * @param timeMs        decision time, epoch milliseconds
 */
public record ModelRolledBackEvent(String model, String component, long version, long fromVersion, long labeled,
        double error, double previousError, long timeMs) implements PlatformEvent {
    /** The value of the {@code type} field of rollback events. */
    public static final String TYPE = "model_rolled_back";

    public ModelRolledBackEvent {
        EventFields.decision(TYPE, model, component, version, fromVersion, labeled);
    }

    @Override
    public String type() {
        return TYPE;
    }
}
