package io.streamlearn.monitor.quality;

import io.streamlearn.core.event.ChallengerPromotedEvent;
import io.streamlearn.core.event.ChallengerRefusedEvent;
import io.streamlearn.core.event.ModelRolledBackEvent;
import io.streamlearn.core.event.PlatformEvent;
import io.streamlearn.core.prediction.Prediction;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The monitor's decisions, from labeled matches alone (no Kafka, no clock: time is passed in), per model.
 *
 * <ul>
 *   <li>Who is who: in a request with a shadow prediction the newer version is the challenger (serving takes new
 *   versions as challengers; the champion is older), whichever of the two answered; without one, the answer's
 *   version is the champion's. The champion is the one that answered the newest request read, so late labels of
 *   an earlier champion do not flip it back.</li>
 *   <li>Promotion: after {@link PromotionRules#promoteAfter()} labeled requests scored by both, a challenger
 *   whose error exceeds the champion's by at most the margin is promoted, otherwise refused; either way it is
 *   decided once and a refused version is never promoted.</li>
 *   <li>Rollback: when the champion's error over its last {@link PromotionRules#rollbackAfter()} labeled
 *   predictions exceeds the previous champion's (over its last as many) by more than the margin, the previous
 *   champion is promoted again; the rolled-back version is never a target later, and a target is always older than
 *   the version it replaces, so the monitor never undoes an operator's rollback.</li>
 * </ul>
 */
final class ChampionChallenger {
    /** Champions remembered per model, with their error windows; older ones are no rollback target. */
    static final int HISTORY = 8;

    private final PromotionRules rules;
    private final Map<String, ModelState> models = new HashMap<>();

    ChampionChallenger(PromotionRules rules) {
        this.rules = rules;
    }

    /** The last errors of a version as champion: a ring of {@code capacity} values and their sum. */
    private static final class ErrorWindow {
        final double[] values;
        int count;
        int next;
        double sum;

        ErrorWindow(int capacity) {
            values = new double[capacity];
        }

        void add(double e) {
            if (count == values.length) {
                sum -= values[next];
            } else {
                count++;
            }
            values[next] = e;
            sum += e;
            next = (next + 1) % values.length;
        }

        double mean() {
            return count == 0 ? Double.NaN : sum / count;
        }
    }

    /** One challenger against one champion on the same labeled requests. */
    private static final class Comparison {
        final long champion;
        long labeled;
        double errors;
        double championErrors;

        Comparison(long champion) {
            this.champion = champion;
        }
    }

    private final class ModelState {
        long champion;
        long championSeq = -1;
        final List<Long> champions = new ArrayList<>();
        final Map<Long, ErrorWindow> windows = new HashMap<>();
        final Map<Long, Comparison> comparisons = new HashMap<>();
        final Set<Long> decided = new HashSet<>();
        final Set<Long> rolledBack = new HashSet<>();

        void becomeChampion(long v) {
            champion = v;
            champions.remove(v);
            champions.add(v);
            while (champions.size() > HISTORY) {
                windows.remove(champions.remove(0));
            }
        }

        ErrorWindow window(long v) {
            return windows.computeIfAbsent(v, x -> new ErrorWindow(rules.rollbackAfter()));
        }
    }

    /** The version that answered the newest request read, 0 before any. */
    long champion(String model) {
        ModelState s = models.get(model);
        return s == null ? 0 : s.champion;
    }

    /** Scores one labeled request and returns the decision it completes, if any. */
    Optional<PlatformEvent> onMatch(LabelJoin.Match m, long nowMs) {
        Prediction answer = m.prediction();
        Prediction shadow = m.shadow();
        Prediction champion = answer;
        Prediction challenger = null;
        if (shadow != null && shadow.version() != answer.version()) {
            boolean canary = shadow.version() < answer.version();
            champion = canary ? shadow : answer;
            challenger = canary ? answer : shadow;
        }
        ModelState s = models.computeIfAbsent(answer.model(), x -> new ModelState());
        long v = champion.version();
        if (m.answerSeq() > s.championSeq) {
            s.championSeq = m.answerSeq();
            if (v != s.champion) {
                s.becomeChampion(v);
            }
        }
        double championError = m.error(champion);
        if (s.champions.contains(v)) {
            s.window(v).add(championError);
        }
        if (challenger != null && rules.promote()) {
            Optional<PlatformEvent> d = compare(s, answer.model(), v, championError, challenger.version(),
                    m.error(challenger), nowMs);
            if (d.isPresent()) {
                return d;
            }
        }
        return v == s.champion && rules.rollback() ? rollback(s, answer.model(), nowMs) : Optional.empty();
    }

    private Optional<PlatformEvent> compare(ModelState s, String model, long champion, double championError,
            long challenger, double error, long nowMs) {
        if (s.decided.contains(challenger)) {
            return Optional.empty();
        }
        Comparison c = s.comparisons.get(challenger);
        if (c == null || c.champion != champion) {
            // A new champion meanwhile: the comparison starts again against it.
            c = new Comparison(champion);
            s.comparisons.put(challenger, c);
        }
        c.labeled++;
        c.errors += error;
        c.championErrors += championError;
        if (c.labeled < rules.promoteAfter()) {
            return Optional.empty();
        }
        s.decided.add(challenger);
        s.comparisons.remove(challenger);
        double e = c.errors / c.labeled;
        double ce = c.championErrors / c.labeled;
        return Optional.of(e - ce <= rules.promoteMargin()
                ? new ChallengerPromotedEvent(model, PlatformEvent.MONITOR, challenger, champion, c.labeled, e, ce,
                        nowMs)
                : new ChallengerRefusedEvent(model, PlatformEvent.MONITOR, challenger, champion, c.labeled, e, ce,
                        nowMs));
    }

    private Optional<PlatformEvent> rollback(ModelState s, String model, long nowMs) {
        long current = s.champion;
        ErrorWindow w = s.windows.get(current);
        if (s.rolledBack.contains(current) || w == null || w.count < rules.rollbackAfter()) {
            return Optional.empty();
        }
        for (int i = s.champions.size() - 2; i >= 0; i--) {
            long target = s.champions.get(i);
            ErrorWindow t = s.windows.get(target);
            if (target >= current || s.rolledBack.contains(target) || t == null || t.count < rules.rollbackAfter()) {
                continue;
            }
            if (w.mean() - t.mean() <= rules.rollbackMargin()) {
                return Optional.empty();
            }
            s.rolledBack.add(current);
            return Optional.of(new ModelRolledBackEvent(model, PlatformEvent.MONITOR, target, current, w.count,
                    w.mean(), t.mean(), nowMs));
        }
        return Optional.empty();
    }
}
