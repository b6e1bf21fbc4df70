package io.streamlearn.core.prediction;

import java.util.List;

/**
 * One answer to a prediction request: the predicted class, the top scores, and the model version
 * that produced it.
 *
 * @param id        the request's id
 * @param label     predicted class index
 * @param scores    class probabilities, highest first (top-k)
 * @param model     model name
 * @param version   snapshot version that made the prediction (>= 1)
 * @param latencyMs time from the request's arrival at serving to the prediction, in milliseconds
 */
public record Prediction(String id, int label, List<Score> scores, String model, long version, float latencyMs) {

    public Prediction {
        if (id == null || id.isEmpty()) {
            throw new IllegalArgumentException("prediction id must be a non-empty string");
        }
        if (label < 0) {
            throw new IllegalArgumentException("prediction " + id + ": label " + label + " is negative");
        }
        if (model == null || model.isEmpty()) {
            throw new IllegalArgumentException("prediction " + id + ": model name must be non-empty");
        }
        if (version < 1) {
            throw new IllegalArgumentException("prediction " + id + ": version " + version + " must be >= 1");
        }
        scores = scores == null ? List.of() : List.copyOf(scores);
    }

    /** The probability of one class. */
    public record Score(int label, float probability) {}
}
