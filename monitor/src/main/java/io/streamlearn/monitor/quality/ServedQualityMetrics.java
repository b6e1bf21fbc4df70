package io.streamlearn.monitor.quality;

import io.prometheus.client.Collector;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.Counter;
import io.prometheus.client.Gauge;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The served-quality metrics, registered into the registry they are given (tests pass a private one). Only
 * the newest {@value #VERSIONS_KEPT} versions of each model keep their {@code version} children, so the label's
 * cardinality stays bounded however long the monitor runs.
 */
final class ServedQualityMetrics {
    static final int VERSIONS_KEPT = 5;

    private final CollectorRegistry registry;
    private final int accuracyWindow;
    final Counter join;
    final Counter labeled;
    final Gauge accuracy;
    final Gauge pending;
    final Counter drift;
    final Counter decisions;
    final Counter promotionFailures;
    final Gauge champion;
    final Gauge mae;
    final Gauge rmse;
    final Gauge r2;
    private final List<Collector> all;
    // model -> version -> the last accuracyWindow outcomes (1 correct, 0 wrong) and their sum.
    private final Map<String, TreeMap<Long, Window>> windows = new HashMap<>();

    private static final class Window {
        final ArrayDeque<Boolean> outcomes = new ArrayDeque<>();
        int correct;
        // Regression: absolute error, squared error and target of each labeled prediction, and their sums.
        final ArrayDeque<double[]> errors = new ArrayDeque<>();
        final double[] sums = new double[4];
    }

    /** A regression model version's served error over its window. */
    record ServedError(double mae, double rmse, double r2, double targetStd) {}

    ServedQualityMetrics(CollectorRegistry registry, int accuracyWindow) {
        this.registry = registry;
        this.accuracyWindow = accuracyWindow;
        this.join = Counter.build("streamlearn_served_join_total",
                "Records of the served-quality join, by outcome: matched (a prediction met its label within the "
                        + "window), expired (a prediction got no label within the window), unmatched (a label found "
                        + "no prediction within the window), duplicate (an id already waiting), invalid (undecodable)")
                .labelNames("outcome").create();
        this.labeled = Counter.build("streamlearn_served_labeled_total",
                "Served predictions whose late label arrived, by model, version and outcome (correct or wrong; "
                        + "regression for a regression model's, whose error is in streamlearn_served_mae and _rmse).")
                .labelNames("model", "version", "outcome").create();
        this.accuracy = Gauge.build("streamlearn_served_accuracy",
                "Accuracy of served predictions against their late labels, over the last labeled predictions of "
                        + "each model version (the newest versions only).").labelNames("model", "version").create();
        this.pending = Gauge.build("streamlearn_served_pending",
                "Predictions waiting for their label, and labels waiting for their prediction, by kind.")
                .labelNames("kind").create();
        this.drift = Counter.build("streamlearn_drift_detections_total",
                "Concept drifts detected, by component (monitor: on served error), model, detector and signal.")
                .labelNames("component", "model", "detector", "signal").create();
        this.decisions = Counter.build("streamlearn_model_decisions_total",
                "The monitor's decisions on which version serves, by model and decision: promoted (a challenger not "
                        + "worse than the champion by the margin), refused (a worse challenger, never promoted), "
                        + "rolled_back (the champion served worse than the previous one, which was promoted again).")
                .labelNames("model", "decision").create();
        this.promotionFailures = Counter.build("streamlearn_model_promotion_failures_total",
                "Promotions (of a challenger, or a rollback) and refusals the monitor decided but could not write to "
                        + "the models topic: the version is missing or damaged in the store, or the write was refused.")
                .labelNames("model").create();
        this.champion = Gauge.build("streamlearn_champion_version",
                "The version answering a model's requests, as the monitor sees it in the predictions it joins.")
                .labelNames("model").create();
        this.mae = Gauge.build("streamlearn_served_mae", "Regression models: mean absolute error of served "
                + "predictions against their late targets, over the last labeled predictions of each model version.")
                .labelNames("model", "version").create();
        this.rmse = Gauge.build("streamlearn_served_rmse", "Regression models: root mean squared error of served "
                + "predictions, over the last labeled predictions of each model version.")
                .labelNames("model", "version").create();
        this.r2 = Gauge.build("streamlearn_served_r2", "Regression models: R² of served predictions, over the last "
                + "labeled predictions of each model version (NaN while the targets have not varied).")
                .labelNames("model", "version").create();
        this.all = List.of(join, labeled, accuracy, pending, drift, decisions, promotionFailures, champion, mae, rmse,
                r2);
        for (Collector c : all) {
            registry.register(c);
        }
    }

    /** Counts one labeled prediction and returns the version's accuracy over its window. */
    double record(String model, long version, boolean correct) {
        String v = Long.toString(version);
        labeled.labels(model, v, correct ? "correct" : "wrong").inc();
        TreeMap<Long, Window> byVersion = windows.computeIfAbsent(model, m -> new TreeMap<>());
        Window w = byVersion.computeIfAbsent(version, x -> new Window());
        w.outcomes.addLast(correct);
        w.correct += correct ? 1 : 0;
        if (w.outcomes.size() > accuracyWindow) {
            w.correct -= w.outcomes.removeFirst() ? 1 : 0;
        }
        double a = (double) w.correct / w.outcomes.size();
        accuracy.labels(model, v).set(a);
        forgetOldVersions(model, byVersion);
        return a;
    }

    /**
     * Counts one labeled prediction of a regression model (outcome {@code regression}) and returns the version's
     * served error over its window.
     */
    ServedError recordError(String model, long version, double absoluteError, double squaredError, double target) {
        String v = Long.toString(version);
        labeled.labels(model, v, "regression").inc();
        TreeMap<Long, Window> byVersion = windows.computeIfAbsent(model, m -> new TreeMap<>());
        Window w = byVersion.computeIfAbsent(version, x -> new Window());
        double[] row = {absoluteError, squaredError, target, target * target};
        w.errors.addLast(row);
        add(w.sums, row, 1);
        if (w.errors.size() > accuracyWindow) {
            add(w.sums, w.errors.removeFirst(), -1);
        }
        int n = w.errors.size();
        double mean = w.sums[2] / n;
        double variance = w.sums[3] / n - mean * mean;
        ServedError e = new ServedError(w.sums[0] / n, Math.sqrt(Math.max(0, w.sums[1] / n)),
                variance > 0 ? 1 - (w.sums[1] / n) / variance : Double.NaN, variance > 0 ? Math.sqrt(variance)
                        : Double.NaN);
        mae.labels(model, v).set(e.mae());
        rmse.labels(model, v).set(e.rmse());
        r2.labels(model, v).set(e.r2());
        forgetOldVersions(model, byVersion);
        return e;
    }

    private static void add(double[] sums, double[] row, int sign) {
        for (int i = 0; i < sums.length; i++) {
            sums[i] += sign * row[i];
        }
    }

    private void forgetOldVersions(String model, TreeMap<Long, Window> byVersion) {
        while (byVersion.size() > VERSIONS_KEPT) {
            long oldest = byVersion.pollFirstEntry().getKey();
            String o = Long.toString(oldest);
            accuracy.remove(model, o);
            mae.remove(model, o);
            rmse.remove(model, o);
            r2.remove(model, o);
            for (String outcome : new String[] {"correct", "wrong", "regression"}) {
                labeled.remove(model, o, outcome);
            }
        }
    }

    void unregister() {
        for (Collector c : all) {
            registry.unregister(c);
        }
    }
}
