package io.streamlearn.monitor.quality;

import io.streamlearn.core.feedback.Feedback;
import io.streamlearn.core.prediction.Prediction;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The join of predictions with labels by id within a window, in memory; either side may come first. A request
 * served with a challenger also has a shadow prediction (the model that did not answer, same id): it is held with
 * the answer and joins the same label, so both models are scored on the same labeled requests. Time is passed in
 * (milliseconds), never read here. Not thread-safe: one consumer thread drives it.
 *
 * <p>The join is decided when the label meets the answer: a shadow prediction that arrives after that (serving
 * writes both in the same batch, labels come much later, so rarely) waits for a label that is gone and expires,
 * counted. Every record ends in exactly one count: matched, expired (predictions, shadow predictions), unmatched
 * (labels) or duplicate, or is still pending.
 */
final class LabelJoin {
    /**
     * A prediction, the shadow prediction of the same request when there was one, and the true label, or for a
     * regression model its true target (then {@code label} is -1 and {@link #error(Prediction)} is the absolute error).
     *
     * @param answerSeq the answer's place in the order the monitor read answers: which version answered last is
     *                  decided by it, not by the order labels come in
     */
    record Match(Prediction prediction, Prediction shadow, int label, long answerSeq, float[] target) {
        /** A classification match: no target. */
        Match(Prediction prediction, Prediction shadow, int label, long answerSeq) {
            this(prediction, shadow, label, answerSeq, null);
        }

        boolean correct() {
            return prediction.label() == label;
        }

        /** The error of {@code p} on this request: 0 right and 1 wrong, or the absolute error for a regression. */
        double error(Prediction p) {
            if (target != null && p.hasValue() && p.value().length == target.length) {
                return absoluteError(p);
            }
            return p.label() == label ? 0 : 1;
        }

        /** Whether a predicted value meets a true target: a regression model's labeled prediction. */
        boolean isRegression() {
            return prediction.hasValue() && target != null && prediction.value().length == target.length;
        }

        /** The answer's absolute error averaged over the target's values (regression only). */
        double absoluteError() {
            return absoluteError(prediction);
        }

        private double absoluteError(Prediction p) {
            double sum = 0;
            for (int i = 0; i < target.length; i++) {
                sum += Math.abs(p.value()[i] - target[i]);
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

        /** A shadow prediction got no label within the window (or was evicted, or came after its label). */
        void expiredShadow(Prediction p);

        /** A label found no prediction within the window (or was evicted at the pending limit). */
        void unmatchedLabel(Feedback f);

        /** A second prediction, shadow prediction or label with an id already waiting; the first one is kept. */
        void duplicate(String side);
    }

    /** What is known of one request before its label: the answer and the shadow, either may be missing yet. */
    private static final class Served {
        final long atMs;
        long answerSeq;
        Prediction answer;
        Prediction shadow;

        Served(long atMs) {
            this.atMs = atMs;
        }
    }

    private record Timed<T>(T value, long atMs) {}

    private final long windowMs;
    private final int maxPending;
    private final Listener listener;
    // Insertion order is arrival order, so expiry walks from the head.
    private final LinkedHashMap<String, Served> served = new LinkedHashMap<>();
    private final LinkedHashMap<String, Timed<Feedback>> labels = new LinkedHashMap<>();
    private int pendingAnswers;
    private long answers;

    LabelJoin(long windowMs, int maxPending, Listener listener) {
        this.windowMs = windowMs;
        this.maxPending = maxPending;
        this.listener = listener;
    }

    void onPrediction(Prediction p, long nowMs) {
        add(p, false, nowMs);
    }

    void onShadowPrediction(Prediction p, long nowMs) {
        add(p, true, nowMs);
    }

    private void add(Prediction p, boolean shadow, long nowMs) {
        Served s = served.get(p.id());
        boolean fresh = s == null;
        if (fresh) {
            s = new Served(nowMs);
        }
        if ((shadow ? s.shadow : s.answer) != null) {
            listener.duplicate(shadow ? "shadow" : "prediction");
            return;
        }
        if (shadow) {
            s.shadow = p;
        } else {
            s.answer = p;
            s.answerSeq = ++answers;
        }
        Timed<Feedback> label = s.answer == null ? null : labels.remove(p.id());
        if (label != null) {
            if (!fresh) {
                served.remove(p.id());
            }
            listener.matched(new Match(s.answer, s.shadow, label.value().label(), s.answerSeq, label.value().target()));
            return;
        }
        if (fresh) {
            served.put(p.id(), s);
        }
        pendingAnswers += shadow ? 0 : 1;
        evictServed();
    }

    void onLabel(Feedback f, long nowMs) {
        Served s = served.get(f.id());
        if (s != null && s.answer != null) {
            served.remove(f.id());
            pendingAnswers--;
            listener.matched(new Match(s.answer, s.shadow, f.label(), s.answerSeq, f.target()));
            return;
        }
        if (labels.containsKey(f.id())) {
            listener.duplicate("label");
            return;
        }
        labels.put(f.id(), new Timed<>(f, nowMs));
        Iterator<Map.Entry<String, Timed<Feedback>>> it = labels.entrySet().iterator();
        while (labels.size() > maxPending && it.hasNext()) {
            Feedback gone = it.next().getValue().value();
            it.remove();
            listener.unmatchedLabel(gone);
        }
    }

    /** Expires what waited longer than the window. */
    void expire(long nowMs) {
        Iterator<Map.Entry<String, Served>> s = served.entrySet().iterator();
        while (s.hasNext()) {
            Served next = s.next().getValue();
            if (nowMs - next.atMs <= windowMs) {
                break;
            }
            s.remove();
            gone(next);
        }
        Iterator<Map.Entry<String, Timed<Feedback>>> l = labels.entrySet().iterator();
        while (l.hasNext()) {
            Timed<Feedback> t = l.next().getValue();
            if (nowMs - t.atMs() <= windowMs) {
                return;
            }
            l.remove();
            listener.unmatchedLabel(t.value());
        }
    }

    /** Requests whose answer waits for its label. */
    int pendingPredictions() {
        return pendingAnswers;
    }

    int pendingLabels() {
        return labels.size();
    }

    private void evictServed() {
        Iterator<Map.Entry<String, Served>> it = served.entrySet().iterator();
        while (served.size() > maxPending && it.hasNext()) {
            Served s = it.next().getValue();
            it.remove();
            gone(s);
        }
    }

    private void gone(Served s) {
        if (s.answer != null) {
            pendingAnswers--;
            listener.expiredPrediction(s.answer);
        }
        if (s.shadow != null) {
            listener.expiredShadow(s.shadow);
        }
    }
}
