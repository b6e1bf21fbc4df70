package io.streamlearn.trainer.snapshot;

import java.io.Serializable;
import java.util.Map;

/**
 * Decides whether a checkpoint's model may be published: never with non-finite parameters or loss,
 * never with a holdout accuracy more than {@code margin} below the best version published so far,
 * and never below {@code minHoldoutAccuracy}.
 */
public final class QualityGate implements Serializable {
    private static final long serialVersionUID = 1L;

    private final double margin;
    private final double minHoldoutAccuracy;

    /**
     * @param margin             largest allowed drop of holdout accuracy below the best published (0..1)
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
     * @param bestHoldout      best holdout accuracy of a published version, NaN when none
     */
    public String refusal(boolean parametersFinite, Map<String, Double> metrics, double bestHoldout) {
        if (!parametersFinite) {
            return "parameters contain NaN or infinity";
        }
        Double loss = metrics.get("loss");
        if (loss != null && Double.isInfinite(loss)) {
            return "training loss is infinite";
        }
        Double holdout = metrics.get("holdout_accuracy");
        if (holdout == null || Double.isNaN(holdout)) {
            return null;
        }
        if (!Double.isNaN(bestHoldout) && holdout < bestHoldout - margin) {
            return String.format("holdout accuracy %.4f is more than %.4f below the best published %.4f "
                    + "(trainer.quality-gate.margin)", holdout, margin, bestHoldout);
        }
        if (holdout < minHoldoutAccuracy) {
            return String.format("holdout accuracy %.4f is below the minimum %.4f (trainer.quality-gate.min-holdout)",
                    holdout, minHoldoutAccuracy);
        }
        return null;
    }
}
