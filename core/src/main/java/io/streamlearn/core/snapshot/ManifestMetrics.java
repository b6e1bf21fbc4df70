package io.streamlearn.core.snapshot;

/**
 * The names of the metrics in {@link SnapshotManifest#metrics()}: the trainer writes them, the quality gate,
 * the report, serving and the demo read them. A renamed key here breaks readers at compile time, not silently.
 */
public final class ManifestMetrics {
    /** Test-then-train accuracy, fading (recent examples weigh more). */
    public static final String PREQUENTIAL_ACCURACY = "prequential_accuracy";
    /** Test-then-train accuracy over the last window of examples. */
    public static final String PREQUENTIAL_ACCURACY_WINDOW = "prequential_accuracy_window";
    /** Test-then-train accuracy over every example trained on. */
    public static final String PREQUENTIAL_ACCURACY_CUMULATIVE = "prequential_accuracy_cumulative";
    /** Accuracy on the held-out examples, fading; what the quality gate compares. */
    public static final String HOLDOUT_ACCURACY = "holdout_accuracy";
    /** Accuracy on every held-out example. */
    public static final String HOLDOUT_ACCURACY_CUMULATIVE = "holdout_accuracy_cumulative";
    /** The published version's holdout accuracy on the same recent examples, the gate's baseline. */
    public static final String CHAMPION_HOLDOUT_ACCURACY = "champion_holdout_accuracy";
    /** Training loss, fading. */
    public static final String LOSS = "loss";
    /** Macro-averaged F1 over the classes. */
    public static final String MACRO_F1 = "macro_f1";
    /** Examples held out of training so far; with {@link SnapshotManifest#examplesSeen()}, all examples read. */
    public static final String HOLDOUT_EXAMPLES = "holdout_examples";
    /** Optimizer steps skipped because the loss was not finite. */
    public static final String SKIPPED_STEPS = "skipped_steps";

    /** Regression: test-then-train mean absolute error, fading. */
    public static final String PREQUENTIAL_MAE = "prequential_mae";
    /** Regression: test-then-train root mean squared error, fading. */
    public static final String PREQUENTIAL_RMSE = "prequential_rmse";
    /** Regression: test-then-train coefficient of determination R², fading. */
    public static final String PREQUENTIAL_R2 = "prequential_r2";
    /** Regression: mean absolute error on the held-out examples, fading. */
    public static final String HOLDOUT_MAE = "holdout_mae";
    /** Regression: RMSE on the held-out examples, fading; what the quality gate compares. */
    public static final String HOLDOUT_RMSE = "holdout_rmse";
    /** Regression: R² on the held-out examples, fading; the quality gate's floor applies to it. */
    public static final String HOLDOUT_R2 = "holdout_r2";
    /** Regression: the published version's holdout RMSE on the same recent examples, the gate's baseline. */
    public static final String CHAMPION_HOLDOUT_RMSE = "champion_holdout_rmse";

    private ManifestMetrics() {}

    /** Precision of class {@code k}. */
    public static String precision(int k) {
        return "precision_" + k;
    }

    /** Recall of class {@code k}. */
    public static String recall(int k) {
        return "recall_" + k;
    }

    /** F1 of class {@code k}. */
    public static String f1(int k) {
        return "f1_" + k;
    }
}
