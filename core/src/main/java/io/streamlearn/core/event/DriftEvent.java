package io.streamlearn.core.event;

/**
 * A detected drift, as it goes on the events topic (keyed by model) through {@link EventCodec}:
 * {@code {"type":"drift","component":"trainer","model":"mlp","detector":"adwin","signal":"prequential_error",
 * "examples_seen":51200,"version":7,"estimate":0.31,"time_ms":1700000000000}}.
 *
 * @param model        model name
 * @param component    who detected it: {@link PlatformEvent#TRAINER} or {@link PlatformEvent#MONITOR}
 * @param detector     {@link io.streamlearn.core.drift.DriftDetector#name()}
 * @param signal       the stream watched, e.g. {@value #PREQUENTIAL_ERROR} or {@value #SERVED_ERROR}
 * @param examplesSeen position in the stream: examples the trainer had seen, or labeled predictions the monitor
 *                     had joined, when the change was detected
 * @param version      model version current at detection, 0 when none
 * @param estimate     the detector's estimate of the signal's mean right after the change, NaN when unknown
 * @param timeMs       detection time, epoch milliseconds
 */
public record DriftEvent(String model, String component, String detector, String signal, long examplesSeen,
        long version, double estimate, long timeMs) implements PlatformEvent {
    /** The value of the {@code type} field of drift events. */
    public static final String TYPE = "drift";
    /** Signal: the trainer's test-then-train error, 1 per wrongly predicted example, else 0. */
    public static final String PREQUENTIAL_ERROR = "prequential_error";
    /** Signal: serving's error on predictions whose late label arrived on the feedback topic. */
    public static final String SERVED_ERROR = "served_error";

    public DriftEvent {
        if (model == null || model.isEmpty()) {
            throw new IllegalArgumentException("drift event without a model name");
        }
        if (component == null || detector == null || signal == null) {
            throw new IllegalArgumentException("drift event of " + model + ": component, detector and signal are "
                    + "required");
        }
        if (examplesSeen < 0 || version < 0) {
            throw new IllegalArgumentException("drift event of " + model + ": examples_seen " + examplesSeen
                    + " and version " + version + " must be >= 0");
        }
    }

    @Override
    public String type() {
        return TYPE;
    }
}
