package io.streamlearn.monitor.quality;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamlearn.core.event.ChallengerPromotedEvent;
import io.streamlearn.core.event.ChallengerRefusedEvent;
import io.streamlearn.core.event.ModelRolledBackEvent;
import io.streamlearn.core.event.PlatformEvent;
import io.streamlearn.core.prediction.Prediction;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ChampionChallengerTest {
    private static final PromotionRules RULES = new PromotionRules(true, 100, 0.02, true, 50, 0.1);

    private final ChampionChallenger decisions = new ChampionChallenger(RULES);
    private long seq;

    /** Labeled requests {@code n}: the answer by {@code answer}, a shadow by {@code shadow} (0: none), each wrong every {@code k}th. */
    private List<PlatformEvent> serve(int n, long answer, int answerWrongEvery, long shadow, int shadowWrongEvery) {
        List<PlatformEvent> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String id = "r" + seq;
            int label = (int) (seq % 3);
            Prediction a = prediction(id, wrong(i, answerWrongEvery) ? (label + 1) % 3 : label, answer);
            Prediction s = shadow == 0 ? null : prediction(id, wrong(i, shadowWrongEvery) ? (label + 1) % 3 : label,
                    shadow);
            Optional<PlatformEvent> d = decisions.onMatch(new LabelJoin.Match(a, s, label, ++seq), 1_000 + seq);
            d.ifPresent(out::add);
        }
        return out;
    }

    private static boolean wrong(int i, int every) {
        return every > 0 && i % every == 0;
    }

    /** {@code d} is exactly {@code expected}, whenever it was decided. */
    private static void assertDecided(List<PlatformEvent> d, PlatformEvent expected) {
        assertThat(d).hasSize(1).first().isInstanceOf(expected.getClass());
        assertThat(d.get(0)).usingRecursiveComparison().ignoringFields("timeMs").isEqualTo(expected);
    }

    private static Prediction prediction(String id, int label, long version) {
        return new Prediction(id, label, List.of(), "m", version, 1f);
    }

    @Test
    void promotesAChallengerNotWorseByTheMarginAfterTheConfiguredLabeledRequests() {
        assertThat(serve(200, 1, 10, 0, 0)).isEmpty();
        // In shadow: v2 scores the same requests, wrong 1 in 12 against the champion's 1 in 10.
        List<PlatformEvent> d = serve(100, 1, 10, 2, 12);
        // Decided at the 100th labeled request both scored.
        assertDecided(d, new ChallengerPromotedEvent("m", PlatformEvent.MONITOR, 2, 1, 100, 0.09, 0.10, 0));
        assertThat(serve(300, 1, 10, 2, 12)).as("decided once").isEmpty();
    }

    @Test
    void refusesAWorseChallengerAndNeverPromotesIt() {
        serve(200, 1, 10, 0, 0);
        // A canary: v2 answers, the champion's predictions are the shadow; v2 is wrong 1 in 2.
        List<PlatformEvent> d = serve(100, 2, 2, 1, 10);
        assertDecided(d, new ChallengerRefusedEvent("m", PlatformEvent.MONITOR, 2, 1, 100, 0.5, 0.1, 0));
        assertThat(decisions.champion("m")).as("the canary's answers do not make it champion").isEqualTo(1);
        assertThat(serve(1000, 2, 100, 1, 10)).as("refused for good, even if it does better later").isEmpty();
    }

    @Test
    void rollsBackAVersionThatServesWorseThanThePreviousOneWithinTheConfiguredLabeledPredictions() {
        serve(100, 1, 10, 0, 0);
        List<PlatformEvent> d = serve(50, 2, 3, 0, 0);
        // Decided at v2's 50th labeled prediction: wrong 17 times in 50, v1 one time in 10.
        assertDecided(d, new ModelRolledBackEvent("m", PlatformEvent.MONITOR, 1, 2, 50, 17 / 50.0, 0.1, 0));
        assertThat(serve(100, 2, 3, 0, 0)).as("in-flight answers of v2 do not roll back twice").isEmpty();
        // Serving follows: v1 answers again and is champion; v2 is no target any more, so nothing rolls "back" to it.
        assertThat(serve(200, 1, 2, 0, 0)).isEmpty();
        assertThat(decisions.champion("m")).isEqualTo(1);
    }

    @Test
    void keepsAVersionThatServesWithinTheMarginAndIgnoresLateLabelsOfThePreviousChampion() {
        serve(100, 1, 10, 0, 0);
        long firstOfV1 = seq;
        assertThat(serve(100, 2, 8, 0, 0)).isEmpty();
        // A late label of an answer v1 gave before v2 took over does not make v1 champion again.
        decisions.onMatch(new LabelJoin.Match(prediction("late", 0, 1), null, 0, firstOfV1 - 5), 0);
        assertThat(decisions.champion("m")).isEqualTo(2);
    }

    @Test
    void decidesNothingWithTheRulesOff() {
        ChampionChallenger off = new ChampionChallenger(PromotionRules.OFF);
        for (int i = 0; i < 5_000; i++) {
            int label = i % 3;
            long v = i < 2_500 ? 1 : 2;
            Prediction a = prediction("r" + i, v == 1 ? label : (label + 1) % 3, v);
            Prediction s = prediction("r" + i, (label + 1) % 3, 3);
            assertThat(off.onMatch(new LabelJoin.Match(a, s, label, i + 1), i)).isEmpty();
        }
        assertThat(off.champion("m")).isEqualTo(2);
    }
}
