package io.streamlearn.trainer.learn;

/**
 * What one test-then-train step saw: predictions made before training, split into trained rows and
 * holdout rows.
 *
 * @param trained          rows trained on
 * @param trainedCorrect   of those, predicted correctly before the step
 * @param heldOut          holdout rows (predicted, never trained on)
 * @param heldOutCorrect   of those, predicted correctly
 * @param loss             mean loss of the trained rows before the step (NaN when none)
 * @param stepped          whether the optimizer stepped (false when the loss was not finite or no row was trained)
 */
public record BatchOutcome(int trained, int trainedCorrect, int heldOut, int heldOutCorrect, float loss,
        boolean stepped) {}
