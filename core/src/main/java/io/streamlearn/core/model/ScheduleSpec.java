package io.streamlearn.core.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Locale;

/**
 * A learning-rate schedule over optimizer steps t = 1, 2, ...: {@code fixed}; {@code step} (the rate
 * times {@code factor} every {@code step_size} steps); {@code exponential} (times {@code factor}
 * every step); each optionally after a linear {@code warmup_steps} ramp from rate/warmup to rate.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ScheduleSpec(
        @JsonProperty("type") String type,
        @JsonProperty("step_size") Integer stepSize,
        @JsonProperty("factor") Float factor,
        @JsonProperty("warmup_steps") Integer warmupSteps) {

    public ScheduleSpec {
        type = type == null ? "fixed" : type.toLowerCase(Locale.ROOT);
        switch (type) {
            case "fixed" -> { }
            case "step" -> {
                if (stepSize == null || stepSize < 1) {
                    throw new IllegalArgumentException("step schedule 'step_size' is " + stepSize + ", must be >= 1");
                }
                requireFactor(factor);
            }
            case "exponential" -> requireFactor(factor);
            default -> throw new IllegalArgumentException("unknown schedule '" + type
                    + "', expected fixed, step or exponential");
        }
        if (warmupSteps != null && warmupSteps < 0) {
            throw new IllegalArgumentException("schedule 'warmup_steps' " + warmupSteps + " must be >= 0");
        }
    }

    private static void requireFactor(Float f) {
        if (f == null || !(f > 0 && f <= 1)) {
            throw new IllegalArgumentException("schedule 'factor' is " + f + ", must be in (0, 1]");
        }
    }

    public static ScheduleSpec fixed() {
        return new ScheduleSpec("fixed", null, null, null);
    }

    /** The learning rate at optimizer step {@code t} (1-based) for base rate {@code base}. */
    public float rate(float base, int t) {
        int warm = warmupSteps == null ? 0 : warmupSteps;
        if (t <= warm) {
            return base * t / warm;
        }
        int after = t - warm - 1;
        return switch (type) {
            case "step" -> (float) (base * Math.pow(factor, after / stepSize));
            case "exponential" -> (float) (base * Math.pow(factor, after));
            default -> base;
        };
    }
}
