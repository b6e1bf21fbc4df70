package io.streamlearn.trainer.join;

import java.util.Arrays;

/**
 * The label join's counts: labels received and the outcome of each, requests received, repeated and expired.
 * Checkpointed with the join's state, so after a failure the counts resume from the checkpoint the output resumed
 * from, and agree with what the transactional sinks committed.
 */
public final class JoinTally {
    private static final int OUTCOMES = LabelOutcome.values().length;
    private static final int LABELS = OUTCOMES;
    private static final int REQUESTS = OUTCOMES + 1;
    private static final int REPEATED = OUTCOMES + 2;
    private static final int EXPIRED = OUTCOMES + 3;
    /** The length of {@link #toArray()}: the checkpointed form. */
    public static final int SIZE = OUTCOMES + 4;

    private final long[] counts;

    public JoinTally() {
        this(new long[SIZE]);
    }

    private JoinTally(long[] counts) {
        this.counts = counts;
    }

    /**
     * The Flink metric name (a gauge in the join operator's {@code streamlearn} group) of each count, in the order
     * of {@link #toArray()}: {@code join_labels_joined} ... {@code join_labels_contradictory},
     * {@code join_labels_received}, {@code join_requests_received}, {@code join_requests_repeated},
     * {@code join_requests_expired}.
     */
    public static String metricName(int index) {
        if (index < OUTCOMES) {
            return "join_labels_" + LabelOutcome.values()[index].word();
        }
        return switch (index - OUTCOMES) {
            case 0 -> "join_labels_received";
            case 1 -> "join_requests_received";
            case 2 -> "join_requests_repeated";
            case 3 -> "join_requests_expired";
            default -> throw new IllegalArgumentException("no count " + index + "; there are " + SIZE);
        };
    }

    /** The count at {@code index} of {@link #toArray()}. */
    public long get(int index) {
        return counts[index];
    }

    /** A tally read back from metrics: {@code valueOf} gives the sum over subtasks of the named metric. */
    public static JoinTally fromMetrics(java.util.function.ToLongFunction<String> valueOf) {
        long[] a = new long[SIZE];
        for (int i = 0; i < SIZE; i++) {
            a[i] = valueOf.applyAsLong(metricName(i));
        }
        return new JoinTally(a);
    }

    /** A tally from {@link #toArray()}; a shorter array (an older form) is read with zeros for what it lacks. */
    public static JoinTally fromArray(long[] a) {
        return new JoinTally(Arrays.copyOf(a, SIZE));
    }

    public long[] toArray() {
        return counts.clone();
    }

    /** Adds {@code other}'s counts to this one (the tallies of several subtasks). */
    public void add(JoinTally other) {
        for (int i = 0; i < SIZE; i++) {
            counts[i] += other.counts[i];
        }
    }

    public void labelReceived() {
        counts[LABELS]++;
    }

    public void outcome(LabelOutcome o) {
        counts[o.ordinal()]++;
    }

    public void requestReceived() {
        counts[REQUESTS]++;
    }

    public void requestRepeated() {
        counts[REPEATED]++;
    }

    public void requestExpired() {
        counts[EXPIRED]++;
    }

    public long labels() {
        return counts[LABELS];
    }

    public long count(LabelOutcome o) {
        return counts[o.ordinal()];
    }

    /** Labels received whose request has not come yet and whose window has not passed. */
    public long waiting() {
        long decided = 0;
        for (int i = 0; i < OUTCOMES; i++) {
            decided += counts[i];
        }
        return counts[LABELS] - decided;
    }

    public long requests() {
        return counts[REQUESTS];
    }

    /** Requests ignored because their id had been seen already. */
    public long repeatedRequests() {
        return counts[REPEATED];
    }

    /** Requests whose window closed without a label. */
    public long expiredRequests() {
        return counts[EXPIRED];
    }

    /** One line: labels = joined + late + unmatched + duplicate + contradictory (+ waiting), then the requests. */
    public String summary() {
        StringBuilder b = new StringBuilder().append(labels()).append(" labels = ");
        for (LabelOutcome o : LabelOutcome.values()) {
            b.append(o.ordinal() == 0 ? "" : " + ").append(count(o)).append(' ').append(o.word());
        }
        return b.append(" + ").append(waiting()).append(" waiting; ").append(requests()).append(" requests (")
                .append(repeatedRequests()).append(" repeated, ").append(expiredRequests())
                .append(" expired without a label)").toString();
    }

    @Override
    public String toString() {
        return summary();
    }
}
