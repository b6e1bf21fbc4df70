package io.streamlearn.monitor.testkit;

import io.streamlearn.core.example.Example;

/**
 * A tiny online binary logistic regression (SGD, learning rate {@code rate / (1 + t / decay)}), test-then-train:
 * the learner of the drift tests, so the detectors see the error stream of a model that keeps learning, as the
 * trainer's does. A decaying rate is what a converged model with a step schedule has: after a concept change it
 * adapts over thousands of examples, so the change shows in its error.
 */
public final class OnlineLogisticRegression {
    private final double[] w;
    private final double scale;
    private final double rate;
    private final double decay;
    private long t;
    private double bias;
    private double lossSum;
    private long lossCount;

    /**
     * @param scale features are multiplied by it (SEA's 0..10 by 0.1)
     * @param decay examples over which the rate halves first; 0 keeps it constant
     */
    public OnlineLogisticRegression(int features, double scale, double rate, double decay) {
        this.w = new double[features];
        this.scale = scale;
        this.rate = rate;
        this.decay = decay;
    }

    /** Predicts {@code e}, then trains on it; returns 1 when the prediction was wrong, else 0. */
    public int testThenTrain(Example e) {
        double p = probability(e);
        int predicted = p >= 0.5 ? 1 : 0;
        train(e, p);
        return predicted == e.label() ? 0 : 1;
    }

    /** Predicts {@code e} without training; 1 when wrong. */
    public int test(Example e) {
        return (probability(e) >= 0.5 ? 1 : 0) == e.label() ? 0 : 1;
    }

    /** Mean log loss since the last call. */
    public double takeMeanLoss() {
        double m = lossCount == 0 ? Double.NaN : lossSum / lossCount;
        lossSum = 0;
        lossCount = 0;
        return m;
    }

    private double probability(Example e) {
        double z = bias;
        for (int i = 0; i < w.length; i++) {
            z += w[i] * e.features().get(i) * scale;
        }
        return 1 / (1 + Math.exp(-z));
    }

    private void train(Example e, double p) {
        double y = e.label();
        lossSum += -(y * Math.log(Math.max(p, 1e-12)) + (1 - y) * Math.log(Math.max(1 - p, 1e-12)));
        lossCount++;
        double lr = decay > 0 ? rate / (1 + t++ / decay) : rate;
        double g = (p - y) * lr;
        for (int i = 0; i < w.length; i++) {
            w[i] -= g * e.features().get(i) * scale;
        }
        bias -= g;
    }
}
