package io.streamlearn.trainer.join;

import io.streamlearn.trainer.decode.RawRecord;
import java.io.Serializable;

/**
 * The label join's rules for one id, on plain state objects so they are tested without Flink. Times are event times
 * (the records' Kafka timestamps); {@code W} is the window:
 * <ul>
 *   <li>a label joins its id's request when their times are at most W apart and the request's window is still
 *       open: JOINED, one example with the request's features, the label and the label's time;</li>
 *   <li>a label more than W after its request, or one that arrives after its request's window closed (the
 *       watermark passed request time + W): LATE;</li>
 *   <li>a label whose request has not come waits until the watermark passes label time + W; a request within W
 *       of it joins it then, else it is UNMATCHED (also when the request comes but more than W after it);</li>
 *   <li>a second label for an id that already had one (joined, waiting, late or unmatched): DUPLICATE when equal
 *       to the first, else CONTRADICTORY; both are dropped, the first label wins;</li>
 *   <li>a second request with an id already seen (serving answers at least once) is ignored: the first wins.</li>
 * </ul>
 * What an id's past was ({@link Seen}) is kept for the state TTL after its last change; after that a label for it
 * counts as if the id were new. A request waiting for its label ({@link Open}) is kept until its window closes.
 */
public final class JoinRules {
    /** No time recorded. */
    public static final long NONE = Long.MIN_VALUE;
    /** No label recorded. */
    public static final int NO_LABEL = -1;

    /** What happened, for the caller to emit, dead-letter and count. */
    public interface Outcomes {
        /** {@code label} joined the request read as {@code request}. */
        void joined(JoinInput label, RawRecord request);

        /** {@code label} is not joined, for {@code reason} (which starts with the outcome's word). */
        void dropped(JoinInput label, LabelOutcome outcome, String reason);

        /** A request with an id already seen: ignored. */
        void repeatedRequest(JoinInput request);

        /** A request's window closed without a label joining it. */
        void expiredRequest();
    }

    /** An id's past: its request's time and its first label; kept for the state TTL. A Flink POJO. */
    public static class Seen implements Serializable {
        private static final long serialVersionUID = 1L;
        public long requestAtMs = NONE;
        public int firstLabel = NO_LABEL;

        public Seen() {}
    }

    /** What of an id waits for the watermark: its request until its window closes, or its label. A Flink POJO. */
    public static class Open implements Serializable {
        private static final long serialVersionUID = 1L;
        /** The request's record while its window is open and no label joined it, else null. */
        public RawRecord request;
        public long requestAtMs = NONE;
        /** A label that came before its request, else null. */
        public JoinInput pendingLabel;

        public Open() {}

        public boolean isEmpty() {
            return request == null && pendingLabel == null;
        }
    }

    private final long windowMs;

    public JoinRules(long windowMs) {
        if (windowMs < 1) {
            throw new IllegalArgumentException("join window " + windowMs + " ms must be >= 1");
        }
        this.windowMs = windowMs;
    }

    public long windowMs() {
        return windowMs;
    }

    /** A label arrives. Either an outcome is reported now, or the label waits in {@code open.pendingLabel}. */
    public void onLabel(Seen seen, Open open, JoinInput label, Outcomes out) {
        if (seen.firstLabel != NO_LABEL) {
            if (seen.firstLabel == label.label) {
                out.dropped(label, LabelOutcome.DUPLICATE, "duplicate label " + label.label + " for " + label.id
                        + ": the id already had this label; dropped");
            } else {
                out.dropped(label, LabelOutcome.CONTRADICTORY, "contradictory label " + label.label + " for "
                        + label.id + ": the id's first label was " + seen.firstLabel + ", which wins; dropped");
            }
            return;
        }
        seen.firstLabel = label.label;
        long requestAt = open.request != null ? open.requestAtMs : seen.requestAtMs;
        if (requestAt == NONE) {
            open.pendingLabel = label;
            return;
        }
        if (!decide(label, requestAt, out)) {
            return;
        }
        if (open.request == null) {
            out.dropped(label, LabelOutcome.LATE, "late label for " + label.id + ": its request's window of "
                    + windowMs + " ms closed before the label came (the label arrived out of order by more than "
                    + "the watermark allows)");
            return;
        }
        out.joined(label, open.request);
        open.request = null;
        open.requestAtMs = NONE;
    }

    /** A request arrives: it joins a label waiting for it, or waits for one until its window closes. */
    public void onRequest(Seen seen, Open open, JoinInput request, Outcomes out) {
        if (seen.requestAtMs != NONE || open.request != null) {
            out.repeatedRequest(request);
            return;
        }
        seen.requestAtMs = request.timestampMs;
        JoinInput waiting = open.pendingLabel;
        if (waiting != null) {
            open.pendingLabel = null;
            if (decide(waiting, request.timestampMs, out)) {
                out.joined(waiting, request.raw);
            }
            return;
        }
        if (seen.firstLabel != NO_LABEL) {
            return; // its label was decided already (unmatched): nothing can join this request any more
        }
        open.request = request.raw;
        open.requestAtMs = request.timestampMs;
    }

    /** The watermark reached {@code watermarkMs}: what waited longer than the window is decided. */
    public void onWatermark(Open open, long watermarkMs, Outcomes out) {
        JoinInput waiting = open.pendingLabel;
        if (waiting != null && watermarkMs >= waiting.timestampMs + windowMs) {
            open.pendingLabel = null;
            out.dropped(waiting, LabelOutcome.UNMATCHED, unmatched(waiting));
        }
        if (open.request != null && watermarkMs >= open.requestAtMs + windowMs) {
            open.request = null;
            open.requestAtMs = NONE;
            out.expiredRequest();
        }
    }

    /**
     * Reports a label that cannot join the request of time {@code requestAt} (late or unmatched) and returns false;
     * true when their times are within the window.
     */
    private boolean decide(JoinInput label, long requestAt, Outcomes out) {
        long after = label.timestampMs - requestAt;
        if (after > windowMs) {
            out.dropped(label, LabelOutcome.LATE, "late label for " + label.id + ": " + after
                    + " ms after its request, more than the window of " + windowMs + " ms");
            return false;
        }
        if (-after > windowMs) {
            out.dropped(label, LabelOutcome.UNMATCHED, unmatched(label) + " (its request came " + -after
                    + " ms after it)");
            return false;
        }
        return true;
    }

    private String unmatched(JoinInput label) {
        return "unmatched label for " + label.id + ": no request of the id within the window of " + windowMs + " ms";
    }
}
