package io.streamlearn.trainer.learn;

import io.streamlearn.core.snapshot.ManifestMetrics;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Prequential (test-then-train) and holdout learning curves: cumulative counts, accuracies with a
 * fading factor, a sliding window of the last {@value #WINDOW} prequential predictions, and per-class
 * precision, recall and F1 (fading); for a regression model instead the {@link RegressionCurve}s (MAE, RMSE, R²,
 * prequential and holdout, fading alike). Mutable; part of the trainer's checkpointed state.
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
    /** Regression only: test-then-train errors of the trained rows, and of the holdout rows. */
    public final RegressionCurve prequentialErrors = new RegressionCurve();
    public final RegressionCurve holdoutErrors = new RegressionCurve();
    /** Regression only: the champion's squared error on the same holdout rows, fading, and their weight. */
    public double championFadingSquaredError;
    public double championFadingRows;
    /** Whether the outcomes recorded are a regression model's (set by the first one). */
    public boolean regression;

    public LearningMetrics(int classes) {
        this.classes = classes;
        this.tp = new double[classes];
        this.fp = new double[classes];
        this.fn = new double[classes];
    }

    public void record(BatchOutcome o) {
        if (o.isRegression()) {
            recordRegression(o);
            return;
        }
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
        recordStep(o);
    }

    private void recordRegression(BatchOutcome o) {
        regression = true;
        int trained = o.trained();
        int k = o.targets();
        prequentialErrors.add(o.predictedValues(), o.actualValues(), 0, trained, k, Math.pow(ALPHA, trained));
        // Decayed per example of the stream, as the holdout accuracy is (see record).
        double decayHold = Math.pow(ALPHA, trained + o.heldOut());
        holdoutErrors.add(o.predictedValues(), o.actualValues(), trained, o.heldOut(), k, decayHold);
        if (!Double.isNaN(o.championSquaredError())) {
            championFadingSquaredError = championFadingSquaredError * decayHold + o.championSquaredError();
            championFadingRows = championFadingRows * decayHold + o.heldOut();
        }
        examples += trained;
        heldOut += o.heldOut();
        recordStep(o);
    }

    private void recordStep(BatchOutcome o) {
        if (o.stepped()) {
            steps++;
            lastLoss = o.loss();
            fadingLoss = Double.isNaN(fadingLoss) ? o.loss() : 0.95 * fadingLoss + 0.05 * o.loss();
        } else if (o.trained() > 0) {
            skippedSteps++;
        }
        if (o.rolledBack()) {
            rollbacks++;
        }
    }

    /** Recent holdout RMSE of the champion (the last published parameters), NaN without one. */
    public double championHoldoutRmse() {
        return championFadingRows == 0 ? Double.NaN : Math.sqrt(championFadingSquaredError / championFadingRows);
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
        championFadingSquaredError = holdoutErrors.squaredError;
        championFadingRows = holdoutErrors.weight;
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

    /** The regression part of the checkpointed state, for {@code TrainerState}: empty for a classifier. */
    public double[] regressionState() {
        if (!regression) {
            return new double[0];
        }
        double[] p = prequentialErrors.state();
        double[] h = holdoutErrors.state();
        double[] out = new double[p.length + h.length + 2];
        System.arraycopy(p, 0, out, 0, p.length);
        System.arraycopy(h, 0, out, p.length, h.length);
        out[out.length - 2] = championFadingSquaredError;
        out[out.length - 1] = championFadingRows;
        return out;
    }

    /** Restores {@link #regressionState()}; an empty array leaves a classifier's metrics. */
    public void restoreRegressionState(double[] state) {
        if (state.length == 0) {
            return;
        }
        int n = RegressionCurve.STATE_LENGTH;
        if (state.length != 2 * n + 2) {
            throw new IllegalArgumentException("regression metrics state of " + state.length + " values, expected "
                    + (2 * n + 2));
        }
        regression = true;
        prequentialErrors.restore(java.util.Arrays.copyOfRange(state, 0, n));
        holdoutErrors.restore(java.util.Arrays.copyOfRange(state, n, 2 * n));
        championFadingSquaredError = state[2 * n];
        championFadingRows = state[2 * n + 1];
    }

    /** The metrics a snapshot manifest records. */
    public Map<String, Double> toManifestMetrics() {
        Map<String, Double> m = new LinkedHashMap<>();
        if (regression) {
            m.put(ManifestMetrics.PREQUENTIAL_MAE, prequentialErrors.mae());
            m.put(ManifestMetrics.PREQUENTIAL_RMSE, prequentialErrors.rmse());
            m.put(ManifestMetrics.PREQUENTIAL_R2, prequentialErrors.r2());
            m.put(ManifestMetrics.HOLDOUT_MAE, holdoutErrors.mae());
            m.put(ManifestMetrics.HOLDOUT_RMSE, holdoutErrors.rmse());
            m.put(ManifestMetrics.HOLDOUT_R2, holdoutErrors.r2());
            m.put(ManifestMetrics.CHAMPION_HOLDOUT_RMSE, championHoldoutRmse());
            m.put(ManifestMetrics.LOSS, fadingLoss);
            m.put(ManifestMetrics.HOLDOUT_EXAMPLES, (double) heldOut);
            m.put(ManifestMetrics.SKIPPED_STEPS, (double) skippedSteps);
            return m;
        }
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

    /** Registers the gauges of the metrics {@code current} returns (Flink reads them on its reporter thread). */
    public static void registerGauges(org.apache.flink.metrics.MetricGroup group,
            java.util.function.Supplier<LearningMetrics> current) {
        group.gauge("prequential_accuracy", () -> current.get().prequentialAccuracy());
        group.gauge("holdout_accuracy", () -> current.get().holdoutAccuracy());
        group.gauge("macro_f1", () -> current.get().macroF1());
        group.gauge("loss", () -> current.get().fadingLoss);
        group.gauge("skipped_steps", () -> current.get().skippedSteps);
        // Regression models: NaN for a classifier, as the accuracies are NaN for a regression model.
        group.gauge("prequential_mae", () -> current.get().prequentialErrors.mae());
        group.gauge("prequential_rmse", () -> current.get().prequentialErrors.rmse());
        group.gauge("prequential_r2", () -> current.get().prequentialErrors.r2());
        group.gauge("holdout_rmse", () -> current.get().holdoutErrors.rmse());
        group.gauge("holdout_r2", () -> current.get().holdoutErrors.r2());
    }
}
