package io.streamlearn.trainer.learn;

/**
 * Fading sums of a regression model's errors over a stream of rows, from which MAE, RMSE and R² are read: each batch
 * first multiplies the sums by a decay (about the last 1,000 examples weigh, as for the accuracies), then adds its
 * rows. A row's error is averaged over its target's values; R² is 1 − SSE/SST with SST the (fading) variance of the
 * target values around their mean, pooled over the values of a vector target.
 */
public final class RegressionCurve {
    /** Values in {@link #state()}. */
    public static final int STATE_LENGTH = 5;

    public double weight;
    public double absoluteError;
    public double squaredError;
    public double targetSum;
    public double targetSquares;

    /** Adds {@code rows} rows from {@code fromRow} of row-major arrays of {@code k} values a row, after a decay. */
    void add(float[] predicted, float[] actual, int fromRow, int rows, int k, double decay) {
        weight *= decay;
        absoluteError *= decay;
        squaredError *= decay;
        targetSum *= decay;
        targetSquares *= decay;
        for (int r = fromRow; r < fromRow + rows; r++) {
            double abs = 0;
            double sq = 0;
            double y = 0;
            double yy = 0;
            for (int j = r * k; j < (r + 1) * k; j++) {
                double d = predicted[j] - actual[j];
                abs += Math.abs(d);
                sq += d * d;
                y += actual[j];
                yy += (double) actual[j] * actual[j];
            }
            absoluteError += abs / k;
            squaredError += sq / k;
            targetSum += y / k;
            targetSquares += yy / k;
            weight += 1;
        }
    }

    /** Mean absolute error, NaN before the first row. */
    public double mae() {
        return weight == 0 ? Double.NaN : absoluteError / weight;
    }

    /** Root mean squared error, NaN before the first row. */
    public double rmse() {
        return weight == 0 ? Double.NaN : Math.sqrt(squaredError / weight);
    }

    /** Coefficient of determination, NaN before the first row or while the target has not varied. */
    public double r2() {
        if (weight == 0) {
            return Double.NaN;
        }
        double mean = targetSum / weight;
        double variance = targetSquares / weight - mean * mean;
        return variance <= 0 ? Double.NaN : 1 - (squaredError / weight) / variance;
    }

    /** The target's standard deviation (fading), NaN before two distinct values: the scale of its errors. */
    public double targetStd() {
        if (weight == 0) {
            return Double.NaN;
        }
        double mean = targetSum / weight;
        double variance = targetSquares / weight - mean * mean;
        return variance <= 0 ? Double.NaN : Math.sqrt(variance);
    }

    double[] state() {
        return new double[] {weight, absoluteError, squaredError, targetSum, targetSquares};
    }

    void restore(double[] s) {
        weight = s[0];
        absoluteError = s[1];
        squaredError = s[2];
        targetSum = s[3];
        targetSquares = s[4];
    }
}
