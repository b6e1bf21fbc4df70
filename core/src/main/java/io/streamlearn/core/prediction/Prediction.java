package io.streamlearn.core.prediction;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One answer to a prediction request: the predicted class and the top scores, or for a regression model the
 * predicted value, and the model version that produced it.
 *
 * @param id        the request's id
 * @param label     predicted class index; {@link #NO_LABEL} for a regression model's prediction
 * @param scores    class probabilities, highest first (top-k); empty for regression
 * @param model     model name
 * @param version   snapshot version that made the prediction (>= 1)
 * @param latencyMs time from the request's arrival at serving to the prediction, in milliseconds
 * @param value     the predicted real value(s) of a regression model, null for a classifier; not copied
 */
public record Prediction(String id, int label, List<Score> scores, String model, long version, float latencyMs,
        float[] value) {
    /** The label of a regression prediction, which carries {@link #value()} instead. */
    public static final int NO_LABEL = -1;

    public Prediction {
        if (id == null || id.isEmpty()) {
            throw new IllegalArgumentException("prediction id must be a non-empty string");
        }
        if (label < 0 && !(label == NO_LABEL && value != null)) {
            throw new IllegalArgumentException("prediction " + id + ": label " + label + " is negative");
        }
        if (model == null || model.isEmpty()) {
            throw new IllegalArgumentException("prediction " + id + ": model name must be non-empty");
        }
        if (version < 1) {
            throw new IllegalArgumentException("prediction " + id + ": version " + version + " must be >= 1");
        }
        if (value != null && value.length == 0) {
            throw new IllegalArgumentException("prediction " + id + ": a predicted value needs at least one number");
        }
        scores = scores == null ? List.of() : List.copyOf(scores);
    }

    /** A classifier's prediction. */
    public Prediction(String id, int label, List<Score> scores, String model, long version, float latencyMs) {
        this(id, label, scores, model, version, latencyMs, null);
    }

    /** A regression model's prediction of {@code value}. */
    public static Prediction ofValue(String id, float[] value, String model, long version, float latencyMs) {
        return new Prediction(id, NO_LABEL, List.of(), model, version, latencyMs, value);
    }

    /** Whether this is a regression model's prediction (a value, no class). */
    public boolean hasValue() {
        return value != null;
    }

    // Records compare arrays by reference; predictions compare their value by value.
    @Override
    public boolean equals(Object o) {
        return o instanceof Prediction p && label == p.label && version == p.version
                && Float.compare(latencyMs, p.latencyMs) == 0 && id.equals(p.id) && scores.equals(p.scores)
                && model.equals(p.model) && Arrays.equals(value, p.value);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, label, scores, model, version, latencyMs, Arrays.hashCode(value));
    }

    @Override
    public String toString() {
        return "Prediction[id=" + id + ", label=" + label + ", scores=" + scores + ", model=" + model + ", version="
                + version + ", latencyMs=" + latencyMs + (value == null ? "" : ", value=" + Arrays.toString(value))
                + "]";
    }

    /** The probability of one class. */
    public record Score(int label, float probability) {}
}
