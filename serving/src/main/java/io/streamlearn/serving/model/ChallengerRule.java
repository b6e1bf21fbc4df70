package io.streamlearn.serving.model;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.apache.kafka.common.utils.Utils;

/**
 * How serving runs a new version before it answers: {@link Mode#OFF} serves every new version at once (the champion
 * is replaced), {@link Mode#SHADOW} and {@link Mode#CANARY} keep the champion and run the new version as challenger.
 *
 * <p>Which requests a canary answers is decided by the request id alone (a stable hash, the same on every instance
 * and for every version), so the monitor compares both versions on a fixed, reproducible share of the traffic and a
 * request repeated after a rewind goes to the same model.
 *
 * @param mode        what a new version does
 * @param canaryShare the share of request ids the challenger answers in {@link Mode#CANARY}, 0..1
 */
public record ChallengerRule(Mode mode, double canaryShare) {
    /** Hash buckets of the canary split: a share is honoured to 1/10000. */
    public static final int CANARY_BUCKETS = 10_000;
    /** Today's behaviour: every new version answers at once. */
    public static final ChallengerRule OFF = new ChallengerRule(Mode.OFF, 0.1);

    /** What a newly published version does while a champion serves. */
    public enum Mode {
        /** It replaces the champion at once (no challenger, except after a rollback: then as in shadow). */
        OFF,
        /** It scores every request onto the shadow predictions topic and answers none. */
        SHADOW,
        /** It answers the canary share of the requests; the champion answers the rest. */
        CANARY;

        /** The mode named {@code name} (off, shadow, canary; any case). */
        public static Mode of(String name) {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        }

        /** Its name in settings. */
        public String settingName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public ChallengerRule {
        if (mode == null) {
            throw new IllegalArgumentException("challenger mode must be set: off, shadow or canary");
        }
        if (!(canaryShare >= 0 && canaryShare <= 1)) {
            throw new IllegalArgumentException("canary share is " + canaryShare + ", must be between 0 and 1 "
                    + "(--canary-share)");
        }
    }

    /** Whether a new version enters as challenger rather than replacing the champion (off: only after a rollback). */
    boolean challengesNewVersions() {
        return mode != Mode.OFF;
    }

    /** How a challenger is routed: in off mode one exists only after a rollback, and it runs in shadow. */
    public Mode routing() {
        return mode == Mode.CANARY ? Mode.CANARY : Mode.SHADOW;
    }

    /**
     * Whether the challenger answers the request {@code id} in canary mode: murmur2 of the id's UTF-8 bytes (Kafka's
     * partitioner hash, stable across JVMs and releases), made positive, modulo {@value #CANARY_BUCKETS}, below the
     * share's number of buckets.
     */
    public boolean canaryAnswers(String id) {
        return bucket(id) < Math.round(canaryShare * CANARY_BUCKETS);
    }

    /** The canary bucket of {@code id}, 0 .. {@value #CANARY_BUCKETS} - 1. */
    static int bucket(String id) {
        return Utils.toPositive(Utils.murmur2(id.getBytes(StandardCharsets.UTF_8))) % CANARY_BUCKETS;
    }
}
