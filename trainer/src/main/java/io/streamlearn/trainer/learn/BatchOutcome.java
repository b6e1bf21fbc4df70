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
 *                    -1 when there is no champion
 */
public record BatchOutcome(int trained, int heldOut, int[] predicted, int[] actual, float loss, boolean stepped,
        boolean rolledBack, int championCorrect) {

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
