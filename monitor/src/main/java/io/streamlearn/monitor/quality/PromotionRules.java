package io.streamlearn.monitor.quality;

/**
 * When the monitor changes which version serves: challenger promotion and automatic rollback, each on or off.
 * Errors are error rates (1 - accuracy) over labeled predictions.
 *
 * @param promote        compare challengers (versions scoring in shadow, or answering a canary share) with the
 *                       champion on the same labeled requests, and promote or refuse each
 * @param promoteAfter   labeled requests both scored before a challenger is decided
 * @param promoteMargin  a challenger is promoted when its error exceeds the champion's by at most this, else refused
 * @param rollback       roll the champion back when it serves worse than the previous champion
 * @param rollbackAfter  labeled predictions of the champion (its last ones) compared with the previous champion's
 * @param rollbackMargin the champion is rolled back when its error exceeds the previous champion's by more than this
 */
public record PromotionRules(boolean promote, int promoteAfter, double promoteMargin, boolean rollback,
        int rollbackAfter, double rollbackMargin) {
    /** Neither rule: the monitor measures and writes nothing to the models topic (today's behaviour). */
    public static final PromotionRules OFF = new PromotionRules(false, 1000, 0.01, false, 1000, 0.05);

    public PromotionRules {
        if (promoteAfter < 1 || rollbackAfter < 1) {
            throw new IllegalArgumentException("promote-after " + promoteAfter + " and rollback-after " + rollbackAfter
                    + " must be >= 1 labeled predictions");
        }
        if (!(promoteMargin >= 0 && promoteMargin <= 1) || !(rollbackMargin >= 0 && rollbackMargin <= 1)) {
            throw new IllegalArgumentException("promote-margin " + promoteMargin + " and rollback-margin "
                    + rollbackMargin + " are error-rate differences, must be in [0, 1]");
        }
    }

    /** Whether either rule may write a promotion, so the monitor needs the snapshot store. */
    public boolean writesPromotions() {
        return promote || rollback;
    }
}
