package io.streamlearn.trainer.snapshot;

import io.streamlearn.core.snapshot.ManifestMetrics;
import java.io.Serializable;
import java.util.Map;

/**
 * Decides whether a checkpoint's model (the challenger) may be published: never with non-finite
 * parameters or loss, never with a holdout accuracy more than {@code margin} below the champion's
 * (the last published parameters, scored on the same recent holdout rows), and never below
 * {@code minHoldoutAccuracy}. Comparing on the same recent rows lets an adapted model replace its
 * champion after a concept change, while a diverging one stays refused. For a regression model (its metrics carry
 * {@link ManifestMetrics#HOLDOUT_RMSE}) the same two settings read: never a holdout RMSE more than {@code margin}
 * (relative, 0.05 = 5 %) above the champion's on the same rows, and never a holdout R² below
 * {@code minHoldoutAccuracy}.
 */
public final class QualityGate implements Serializable {
    private static final long serialVersionUID = 1L;

    private final double margin;
    private final double minHoldoutAccuracy;

    /**
     * @param margin             largest allowed drop of holdout accuracy below the champion's (0..1)
     * @param minHoldoutAccuracy lowest holdout accuracy ever published (0 disables the floor)
     */
    public QualityGate(double margin, double minHoldoutAccuracy) {
        if (!(margin >= 0 && margin <= 1)) {
            throw new IllegalArgumentException("quality gate margin " + margin + " must be in [0, 1]");
        }
        if (!(minHoldoutAccuracy >= 0 && minHoldoutAccuracy <= 1)) {
            throw new IllegalArgumentException("quality gate minimum holdout accuracy " + minHoldoutAccuracy
                    + " must be in [0, 1]");
        }
        this.margin = margin;
        this.minHoldoutAccuracy = minHoldoutAccuracy;
    }

    /**
     * Why this snapshot must not be published, or null when it may be.
     *
     * @param parametersFinite whether every parameter is finite
     * @param metrics          the metrics the manifest would carry
     * @param championHoldout  the champion's recent holdout accuracy, NaN when there is none
     */
    public String refusal(boolean parametersFinite, Map<String, Double> metrics, double championHoldout) {
        if (!parametersFinite) {
            return "parameters contain NaN or infinity";
        }
        Double loss = metrics.get(ManifestMetrics.LOSS);
        if (loss != null && Double.isInfinite(loss)) {
            return "training loss is infinite";
        }
        Double rmse = metrics.get(ManifestMetrics.HOLDOUT_RMSE);
        if (rmse != null) {
            return regressionRefusal(rmse, metrics.getOrDefault(ManifestMetrics.CHAMPION_HOLDOUT_RMSE, Double.NaN),
                    metrics.getOrDefault(ManifestMetrics.HOLDOUT_R2, Double.NaN));
        }
        Double holdout = metrics.get(ManifestMetrics.HOLDOUT_ACCURACY);
        if (holdout == null || Double.isNaN(holdout)) {
            return null;
        }
        if (!Double.isNaN(championHoldout) && holdout < championHoldout - margin) {
            return String.format("holdout accuracy %.4f is more than %.4f below the published version's %.4f on "
                    + "the same recent examples (--gate-margin)", holdout, margin, championHoldout);
        }
        if (holdout < minHoldoutAccuracy) {
            return String.format("holdout accuracy %.4f is below the minimum %.4f (--gate-min-holdout)",
                    holdout, minHoldoutAccuracy);
        }
        return null;
    }

    private String regressionRefusal(double rmse, double championRmse, double r2) {
        if (Double.isNaN(rmse)) {
            return null;
        }
        if (!Double.isNaN(championRmse) && rmse > championRmse * (1 + margin)) {
            return String.format("holdout RMSE %.4g is more than %.1f%% above the published version's %.4g on the same "
                    + "recent examples (--gate-margin, relative for regression)", rmse, 100 * margin, championRmse);
        }
        if (!Double.isNaN(r2) && r2 < minHoldoutAccuracy) {
            return String.format("holdout R² %.4f is below the minimum %.4f (--gate-min-holdout, an R² floor for "
                    + "regression)", r2, minHoldoutAccuracy);
        }
        return null;
    }
}
