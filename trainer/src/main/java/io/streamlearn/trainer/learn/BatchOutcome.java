package io.streamlearn.trainer.learn;

/**
 * What one test-then-train step saw: predictions made before training, trained rows first, then
 * holdout rows.
 *
 * @param trained     rows trained on (the first {@code trained} entries of the arrays)
 * @param heldOut     holdout rows (predicted, never trained on; the remaining entries)
 * @param predicted   predicted class of every row, before the step
 * @param actual      true class of every row
 * @param loss        mean loss of the trained rows before the step (NaN when none or not finite)
 * @param stepped     whether the optimizer stepped (false when the loss was not finite or no row was trained)
 * @param rolledBack  whether the parameters were returned to the last good state (non-finite loss)
 * @param championCorrect holdout rows the champion (the last published parameters) predicted correctly,
 *                    -1 when there is no champion or the model is a regression
 * @param predictedValues regression only: every row's predicted values, row-major {@code (rows, targets)}, before
 *                    the step; null for a classifier (whose {@code predicted} and {@code actual} are then all 0)
 * @param actualValues regression only: every row's target, laid out as {@code predictedValues}; null for a classifier
 * @param championSquaredError regression only: the sum over the holdout rows of the champion's squared error (mean
 *                    over the target's values), NaN when there is no champion or the model is a classifier
 */
public record BatchOutcome(int trained, int heldOut, int[] predicted, int[] actual, float loss, boolean stepped,
        boolean rolledBack, int championCorrect, float[] predictedValues, float[] actualValues,
        double championSquaredError) {

    /** A classifier's outcome. */
    public BatchOutcome(int trained, int heldOut, int[] predicted, int[] actual, float loss, boolean stepped,
            boolean rolledBack, int championCorrect) {
        this(trained, heldOut, predicted, actual, loss, stepped, rolledBack, championCorrect, null, null, Double.NaN);
    }

    /** Whether this is a regression model's outcome (values, not classes). */
    public boolean isRegression() {
        return predictedValues != null;
    }

    /** Values per row of a regression outcome. */
    public int targets() {
        return predictedValues.length / (trained + heldOut);
    }

    /**
     * The sum over rows of the squared error averaged over each row's values: {@code count} values of
     * {@code predicted} from {@code from}, against {@code actual} from {@code actualFrom}, {@code rowValues} per row.
     */
    public static double squaredError(float[] predicted, int from, float[] actual, int actualFrom, int count,
            int rowValues) {
        double sum = 0;
        for (int i = 0; i < count; i++) {
            double d = predicted[from + i] - actual[actualFrom + i];
            sum += d * d;
        }
        return sum / rowValues;
    }

    public int trainedCorrect() {
        return correct(0, trained);
    }

    public int heldOutCorrect() {
        return correct(trained, trained + heldOut);
    }

    private int correct(int from, int to) {
        int c = 0;
        for (int i = from; i < to; i++) {
            c += predicted[i] == actual[i] ? 1 : 0;
        }
        return c;
    }
}
