package io.streamlearn.trainer.learn;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Prequential (test-then-train) and holdout accuracy, cumulative and with a fading factor, plus
 * counters. Mutable; part of the trainer's checkpointed state.
 */
public final class LearningMetrics {
    /** Fading factor of the recent accuracies: about the last 1/(1-alpha) = 1000 examples. */
    public static final double ALPHA = 0.999;

    public long examples;
    public long steps;
    public long skippedSteps;
    public long correct;
    public long heldOut;
    public long heldOutCorrect;
    public double fadingCorrect;
    public double fadingCount;
    public double holdoutFadingCorrect;
    public double holdoutFadingCount;
    public double lastLoss = Double.NaN;

    public void record(BatchOutcome o) {
        examples += o.trained();
        correct += o.trainedCorrect();
        heldOut += o.heldOut();
        heldOutCorrect += o.heldOutCorrect();
        double decayTrain = Math.pow(ALPHA, o.trained());
        fadingCorrect = fadingCorrect * decayTrain + o.trainedCorrect();
        fadingCount = fadingCount * decayTrain + o.trained();
        double decayHold = Math.pow(ALPHA, o.heldOut());
        holdoutFadingCorrect = holdoutFadingCorrect * decayHold + o.heldOutCorrect();
        holdoutFadingCount = holdoutFadingCount * decayHold + o.heldOut();
        if (o.stepped()) {
            steps++;
            lastLoss = o.loss();
        } else if (o.trained() > 0) {
            skippedSteps++;
        }
    }

    /** Recent prequential accuracy (fading), NaN before the first example. */
    public double prequentialAccuracy() {
        return fadingCount == 0 ? Double.NaN : fadingCorrect / fadingCount;
    }

    /** Recent holdout accuracy (fading), NaN before the first holdout example. */
    public double holdoutAccuracy() {
        return holdoutFadingCount == 0 ? Double.NaN : holdoutFadingCorrect / holdoutFadingCount;
    }

    /** The metrics a snapshot manifest records. */
    public Map<String, Double> toManifestMetrics() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("prequential_accuracy", prequentialAccuracy());
        m.put("holdout_accuracy", holdoutAccuracy());
        m.put("prequential_accuracy_cumulative", examples == 0 ? Double.NaN : (double) correct / examples);
        m.put("holdout_accuracy_cumulative", heldOut == 0 ? Double.NaN : (double) heldOutCorrect / heldOut);
        m.put("loss", lastLoss);
        m.put("holdout_examples", (double) heldOut);
        m.put("skipped_steps", (double) skippedSteps);
        return m;
    }
}
