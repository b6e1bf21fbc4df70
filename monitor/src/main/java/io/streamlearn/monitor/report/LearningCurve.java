package io.streamlearn.monitor.report;

import io.streamlearn.core.snapshot.ManifestMetrics;
import io.streamlearn.core.snapshot.SnapshotManifest;
import io.streamlearn.core.snapshot.SnapshotStore;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The learning curve of one model: one point per published snapshot, in version order, from its manifest.
 *
 * @param model  model name
 * @param points one per version, oldest first
 * @param newest the newest manifest (its metrics give the per-class table)
 */
public record LearningCurve(String model, List<Point> points, SnapshotManifest newest) {
    /**
     * One snapshot's position and metrics at publish (NaN when the manifest lacks one).
     *
     * @param version      snapshot version
     * @param examplesSeen examples trained on up to it
     * @param createdMs    publication time
     * @param holdoutR2    a regression model's holdout R² (NaN for a classifier)
     * @param holdoutRmse  a regression model's holdout RMSE (NaN for a classifier)
     */
    public record Point(long version, long examplesSeen, long createdMs, double prequentialAccuracy,
            double holdoutAccuracy, double loss, double holdoutR2, double holdoutRmse) {}

    public LearningCurve {
        if (points == null || points.isEmpty() || newest == null) {
            throw new IllegalArgumentException("a learning curve of " + model + " needs at least one snapshot");
        }
        points = List.copyOf(points);
    }

    /**
     * Reads every published version of {@code model} from {@code store}.
     *
     * @throws IllegalArgumentException when the store has no version of the model
     */
    public static LearningCurve read(SnapshotStore store, String model) {
        List<Long> versions = store.versions(model);
        if (versions.isEmpty()) {
            throw new IllegalArgumentException("the snapshot store " + store.root() + " has no version of model '"
                    + model + "'; check --store and --model (the directory " + store.root().resolve(model)
                    + " should hold version directories)");
        }
        List<SnapshotManifest> manifests = new ArrayList<>();
        for (long v : versions) {
            manifests.add(store.manifest(model, v));
        }
        manifests.sort(Comparator.comparingLong(SnapshotManifest::version));
        List<Point> points = new ArrayList<>();
        for (SnapshotManifest m : manifests) {
            points.add(new Point(m.version(), m.examplesSeen(), m.createdMs(),
                    m.metric(ManifestMetrics.PREQUENTIAL_ACCURACY), m.metric(ManifestMetrics.HOLDOUT_ACCURACY),
                    m.metric(ManifestMetrics.LOSS), m.metric(ManifestMetrics.HOLDOUT_R2),
                    m.metric(ManifestMetrics.HOLDOUT_RMSE)));
        }
        return new LearningCurve(model, points, manifests.get(manifests.size() - 1));
    }

    /** Whether the newest version is a regression model's (its manifest has regression metrics). */
    public boolean isRegression() {
        return !Double.isNaN(newest.metric(ManifestMetrics.HOLDOUT_RMSE))
                || !Double.isNaN(newest.metric(ManifestMetrics.PREQUENTIAL_RMSE));
    }

    /** Classes with a {@code precision_k}, {@code recall_k} or {@code f1_k} metric in the newest manifest. */
    public int classes() {
        int k = 0;
        while (!Double.isNaN(newest.metric(ManifestMetrics.precision(k)))
                || !Double.isNaN(newest.metric(ManifestMetrics.recall(k)))
                || !Double.isNaN(newest.metric(ManifestMetrics.f1(k)))) {
            k++;
        }
        return k;
    }
}
