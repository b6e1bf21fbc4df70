package io.streamlearn.trainer.learn;

import io.streamlearn.core.snapshot.ManifestMetrics;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Prequential (test-then-train) and holdout learning curves: cumulative counts, accuracies with a
 * fading factor, a sliding window of the last {@value #WINDOW} prequential predictions, and per-class
 * precision, recall and F1 (fading). Mutable; part of the trainer's checkpointed state.
 */
public final class LearningMetrics {
    /** Fading factor of the recent accuracies: about the last 1/(1-alpha) = 1000 examples. */
    public static final double ALPHA = 0.999;
    /** Size of the sliding window of prequential predictions. */
    public static final int WINDOW = 1000;

    public final int classes;
    public long examples;
    public long steps;
    public long skippedSteps;
    public long rollbacks;
    public long correct;
    public long heldOut;
    public long heldOutCorrect;
    public double fadingCorrect;
    public double fadingCount;
    public double holdoutFadingCorrect;
    public double holdoutFadingCount;
    /** Fading holdout counts of the champion: the last published parameters, scored on the same rows. */
    public double championFadingCorrect;
    public double championFadingCount;
    public double lastLoss = Double.NaN;
    public double fadingLoss = Double.NaN;
    /** Fading true positives, false positives and false negatives per class (prequential). */
    public final double[] tp;
    public final double[] fp;
    public final double[] fn;
    /** Ring of the last {@link #WINDOW} prequential outcomes (1 correct, 0 wrong). */
    public final byte[] window = new byte[WINDOW];
    public long windowWrites;

    public LearningMetrics(int classes) {
        this.classes = classes;
        this.tp = new double[classes];
        this.fp = new double[classes];
        this.fn = new double[classes];
    }

    public void record(BatchOutcome o) {
        int trained = o.trained();
        int[] predicted = o.predicted();
        int[] actual = o.actual();
        // Per-class counts fade once per batch, like the accuracies below, not once per example (a loop
        // over every class for every example).
        double decayTrain = Math.pow(ALPHA, trained);
        for (int k = 0; k < classes; k++) {
            tp[k] *= decayTrain;
            fp[k] *= decayTrain;
            fn[k] *= decayTrain;
        }
        int trainedCorrect = 0;
        for (int i = 0; i < trained; i++) {
            boolean ok = predicted[i] == actual[i];
            trainedCorrect += ok ? 1 : 0;
            if (ok) {
                tp[actual[i]] += 1;
            } else {
                fn[actual[i]] += 1;
                if (predicted[i] >= 0 && predicted[i] < classes) {
                    fp[predicted[i]] += 1;
                }
            }
            window[(int) (windowWrites++ % WINDOW)] = (byte) (ok ? 1 : 0);
        }
        int holdCorrect = o.heldOutCorrect();
        examples += trained;
        correct += trainedCorrect;
        heldOut += o.heldOut();
        heldOutCorrect += holdCorrect;
        fadingCorrect = fadingCorrect * decayTrain + trainedCorrect;
        fadingCount = fadingCount * decayTrain + trained;
        // Decayed per example of the stream, not per holdout example: both curves then forget on the same
        // time scale (about 1,000 examples), and the holdout curve follows a concept change as quickly.
        double decayHold = Math.pow(ALPHA, trained + o.heldOut());
        holdoutFadingCorrect = holdoutFadingCorrect * decayHold + holdCorrect;
        holdoutFadingCount = holdoutFadingCount * decayHold + o.heldOut();
        if (o.championCorrect() >= 0) {
            championFadingCorrect = championFadingCorrect * decayHold + o.championCorrect();
            championFadingCount = championFadingCount * decayHold + o.heldOut();
        }
        if (o.stepped()) {
            steps++;
            lastLoss = o.loss();
            fadingLoss = Double.isNaN(fadingLoss) ? o.loss() : 0.95 * fadingLoss + 0.05 * o.loss();
        } else if (trained > 0) {
            skippedSteps++;
        }
        if (o.rolledBack()) {
            rollbacks++;
        }
    }

    /** Recent prequential accuracy (fading), NaN before the first example. */
    public double prequentialAccuracy() {
        return fadingCount == 0 ? Double.NaN : fadingCorrect / fadingCount;
    }

    /** Prequential accuracy over the sliding window of the last {@value #WINDOW} trained examples. */
    public double windowAccuracy() {
        int n = (int) Math.min(windowWrites, WINDOW);
        if (n == 0) {
            return Double.NaN;
        }
        int c = 0;
        for (int i = 0; i < n; i++) {
            c += window[i];
        }
        return (double) c / n;
    }

    /** Recent holdout accuracy (fading), NaN before the first holdout example. */
    public double holdoutAccuracy() {
        return holdoutFadingCount == 0 ? Double.NaN : holdoutFadingCorrect / holdoutFadingCount;
    }

    /** Recent holdout accuracy of the champion (the last published parameters), NaN without one. */
    public double championHoldoutAccuracy() {
        return championFadingCount == 0 ? Double.NaN : championFadingCorrect / championFadingCount;
    }

    /** The trained model was just published: it is the champion now, with its own record so far. */
    public void crownChallenger() {
        championFadingCorrect = holdoutFadingCorrect;
        championFadingCount = holdoutFadingCount;
    }

    public double precision(int k) {
        return tp[k] + fp[k] == 0 ? Double.NaN : tp[k] / (tp[k] + fp[k]);
    }

    public double recall(int k) {
        return tp[k] + fn[k] == 0 ? Double.NaN : tp[k] / (tp[k] + fn[k]);
    }

    public double f1(int k) {
        double p = precision(k);
        double r = recall(k);
        return Double.isNaN(p) || Double.isNaN(r) || p + r == 0 ? Double.NaN : 2 * p * r / (p + r);
    }

    /** Mean F1 over the classes seen so far. */
    public double macroF1() {
        double sum = 0;
        int n = 0;
        for (int k = 0; k < classes; k++) {
            double f = f1(k);
            if (!Double.isNaN(f)) {
                sum += f;
                n++;
            }
        }
        return n == 0 ? Double.NaN : sum / n;
    }

    /** The metrics a snapshot manifest records. */
    public Map<String, Double> toManifestMetrics() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put(ManifestMetrics.PREQUENTIAL_ACCURACY, prequentialAccuracy());
        m.put(ManifestMetrics.PREQUENTIAL_ACCURACY_WINDOW, windowAccuracy());
        m.put(ManifestMetrics.HOLDOUT_ACCURACY, holdoutAccuracy());
        m.put(ManifestMetrics.CHAMPION_HOLDOUT_ACCURACY, championHoldoutAccuracy());
        m.put(ManifestMetrics.PREQUENTIAL_ACCURACY_CUMULATIVE,
                examples == 0 ? Double.NaN : (double) correct / examples);
        m.put(ManifestMetrics.HOLDOUT_ACCURACY_CUMULATIVE,
                heldOut == 0 ? Double.NaN : (double) heldOutCorrect / heldOut);
        m.put(ManifestMetrics.LOSS, fadingLoss);
        m.put(ManifestMetrics.MACRO_F1, macroF1());
        m.put(ManifestMetrics.HOLDOUT_EXAMPLES, (double) heldOut);
        m.put(ManifestMetrics.SKIPPED_STEPS, (double) skippedSteps);
        for (int k = 0; k < classes; k++) {
            m.put(ManifestMetrics.precision(k), precision(k));
            m.put(ManifestMetrics.recall(k), recall(k));
            m.put(ManifestMetrics.f1(k), f1(k));
        }
        return m;
    }
}
