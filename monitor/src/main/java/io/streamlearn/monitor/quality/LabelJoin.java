package io.streamlearn.monitor.quality;

import io.streamlearn.core.feedback.Feedback;
import io.streamlearn.core.prediction.Prediction;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The join of predictions with labels by id within a window, in memory; either side may come first. Time is
 * passed in (milliseconds), never read here. Not thread-safe: one consumer thread drives it.
 */
final class LabelJoin {
    /** A prediction and its true label, or for a regression model its true target (then {@code label} is -1). */
    record Match(Prediction prediction, int label, float[] target) {
        Match(Prediction prediction, int label) {
            this(prediction, label, null);
        }

        boolean correct() {
            return prediction.label() == label;
        }

        /** Whether a predicted value meets a true target: a regression model's labeled prediction. */
        boolean isRegression() {
            return prediction.hasValue() && target != null && prediction.value().length == target.length;
        }

        /** The absolute error averaged over the target's values (regression only). */
        double absoluteError() {
            double sum = 0;
            for (int i = 0; i < target.length; i++) {
                sum += Math.abs(prediction.value()[i] - target[i]);
            }
            return sum / target.length;
        }

        /** The squared error averaged over the target's values (regression only). */
        double squaredError() {
            double sum = 0;
            for (int i = 0; i < target.length; i++) {
                double d = prediction.value()[i] - target[i];
                sum += d * d;
            }
            return sum / target.length;
        }

        /** The mean of the target's values (regression only), what R² measures the spread of. */
        double targetMean() {
            double sum = 0;
            for (float v : target) {
                sum += v;
            }
            return sum / target.length;
        }
    }

    /** What one call changed. */
    interface Listener {
        void matched(Match m);

        /** A prediction got no label within the window (or was evicted at the pending limit). */
        void expiredPrediction(Prediction p);

        /** A label found no prediction within the window (or was evicted at the pending limit). */
        void unmatchedLabel(Feedback f);

        /** A second prediction or label with an id already waiting; the first one is kept. */
        void duplicate(String side);
    }

    private record Timed<T>(T value, long atMs) {}

    private final long windowMs;
    private final int maxPending;
    private final Listener listener;
    // Insertion order is arrival order, so expiry walks from the head.
    private final LinkedHashMap<String, Timed<Prediction>> predictions = new LinkedHashMap<>();
    private final LinkedHashMap<String, Timed<Feedback>> labels = new LinkedHashMap<>();

    LabelJoin(long windowMs, int maxPending, Listener listener) {
        this.windowMs = windowMs;
        this.maxPending = maxPending;
        this.listener = listener;
    }

    void onPrediction(Prediction p, long nowMs) {
        Timed<Feedback> label = labels.remove(p.id());
        if (label != null) {
            listener.matched(new Match(p, label.value().label(), label.value().target()));
            return;
        }
        wait(predictions, p.id(), p, nowMs, "prediction", listener::expiredPrediction);
    }

    void onLabel(Feedback f, long nowMs) {
        Timed<Prediction> p = predictions.remove(f.id());
        if (p != null) {
            listener.matched(new Match(p.value(), f.label(), f.target()));
            return;
        }
        wait(labels, f.id(), f, nowMs, "label", listener::unmatchedLabel);
    }

    /** Holds an unmatched side until its partner comes, counting a repeated id once as a duplicate. */
    private <T> void wait(LinkedHashMap<String, Timed<T>> pending, String id, T value, long nowMs, String kind,
            Consumer<T> gone) {
        if (pending.containsKey(id)) {
            listener.duplicate(kind);
            return;
        }
        pending.put(id, new Timed<>(value, nowMs));
        evict(pending, maxPending, gone);
    }

    /** Expires what waited longer than the window. */
    void expire(long nowMs) {
        expire(predictions, nowMs, listener::expiredPrediction);
        expire(labels, nowMs, listener::unmatchedLabel);
    }

    int pendingPredictions() {
        return predictions.size();
    }

    int pendingLabels() {
        return labels.size();
    }

    private <T> void expire(LinkedHashMap<String, Timed<T>> pending, long nowMs, Consumer<T> gone) {
        Iterator<Map.Entry<String, Timed<T>>> it = pending.entrySet().iterator();
        while (it.hasNext()) {
            Timed<T> t = it.next().getValue();
            if (nowMs - t.atMs() <= windowMs) {
                return;
            }
            it.remove();
            gone.accept(t.value());
        }
    }

    private static <T> void evict(LinkedHashMap<String, Timed<T>> pending, int max, Consumer<T> gone) {
        Iterator<Map.Entry<String, Timed<T>>> it = pending.entrySet().iterator();
        while (pending.size() > max && it.hasNext()) {
            Timed<T> t = it.next().getValue();
            it.remove();
            gone.accept(t.value());
        }
    }
}
