package io.streamlearn.core.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Locale;

/**
 * Optimizer and its hyper-parameters: {@code sgd} (with {@code momentum}), {@code adam} or
 * {@code adagrad}, a {@code learning_rate}, L2 {@code weight_decay} and a learning-rate {@code schedule}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record OptimizerSpec(
        @JsonProperty("type") String type,
        @JsonProperty("learning_rate") float learningRate,
        @JsonProperty("momentum") Float momentum,
        @JsonProperty("weight_decay") Float weightDecay,
        @JsonProperty("schedule") ScheduleSpec schedule) {

    public OptimizerSpec {
        schedule = schedule == null ? ScheduleSpec.fixed() : schedule;
        type = type == null ? "adam" : type.toLowerCase(Locale.ROOT);
        if (!type.equals("sgd") && !type.equals("adam") && !type.equals("adagrad")) {
            throw new IllegalArgumentException("unknown optimizer '" + type + "', expected sgd, adam or adagrad");
        }
        if (!(learningRate > 0) || !Float.isFinite(learningRate)) {
            throw new IllegalArgumentException("optimizer 'learning_rate' " + learningRate + " must be > 0");
        }
        if (momentum != null && !(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException("optimizer 'momentum' " + momentum + " must be in [0, 1)");
        }
        if (weightDecay != null && !(weightDecay >= 0) || weightDecay != null && !Float.isFinite(weightDecay)) {
            throw new IllegalArgumentException("optimizer 'weight_decay' " + weightDecay + " must be >= 0");
        }
    }

    /** An optimizer with a fixed learning rate. */
    public OptimizerSpec(String type, float learningRate, Float momentum, Float weightDecay) {
        this(type, learningRate, momentum, weightDecay, null);
    }

    public static OptimizerSpec adam(float learningRate) {
        return new OptimizerSpec("adam", learningRate, null, null, null);
    }

    public static OptimizerSpec adagrad(float learningRate) {
        return new OptimizerSpec("adagrad", learningRate, null, null, null);
    }

    /** A copy with L2 weight decay {@code wd}. */
    public OptimizerSpec withWeightDecay(float wd) {
        return new OptimizerSpec(type, learningRate, momentum, wd, schedule);
    }

    /** A copy with another schedule. */
    public OptimizerSpec withSchedule(ScheduleSpec s) {
        return new OptimizerSpec(type, learningRate, momentum, weightDecay, s);
    }

    public static OptimizerSpec sgd(float learningRate, float momentum) {
        return new OptimizerSpec("sgd", learningRate, momentum, null, null);
    }
}
