package io.streamlearn.serving.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamlearn.serving.model.ChallengerRule.Mode;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ChallengerRuleTest {

    @Test
    void aCanaryAnswersAboutItsShareOfRequestIdsAndAlwaysTheSameOnes() {
        ChallengerRule rule = new ChallengerRule(Mode.CANARY, 0.1);
        long answered = IntStream.range(0, 20_000).filter(i -> rule.canaryAnswers("request-" + i)).count();
        assertThat(answered).isBetween(1_700L, 2_300L);
        ChallengerRule again = new ChallengerRule(Mode.CANARY, 0.1);
        assertThat(IntStream.range(0, 2_000).allMatch(i -> rule.canaryAnswers("r" + i) == again.canaryAnswers("r" + i)))
                .as("the split depends on the id alone").isTrue();
    }

    @Test
    void aLargerShareKeepsTheIdsOfASmallerOne() {
        ChallengerRule small = new ChallengerRule(Mode.CANARY, 0.05);
        ChallengerRule large = new ChallengerRule(Mode.CANARY, 0.25);
        assertThat(IntStream.range(0, 5_000).filter(i -> small.canaryAnswers("r" + i))
                .allMatch(i -> large.canaryAnswers("r" + i))).isTrue();
    }

    @Test
    void sharesZeroAndOneAnswerNoneAndAll() {
        assertThat(IntStream.range(0, 1_000).noneMatch(i -> new ChallengerRule(Mode.CANARY, 0).canaryAnswers("r" + i)))
                .isTrue();
        assertThat(IntStream.range(0, 1_000).allMatch(i -> new ChallengerRule(Mode.CANARY, 1).canaryAnswers("r" + i)))
                .isTrue();
    }

    @Test
    void offRunsAChallengerAfterARollbackInShadowAndRefusesAShareOutsideZeroToOne() {
        assertThat(ChallengerRule.OFF.routing()).isEqualTo(Mode.SHADOW);
        assertThat(ChallengerRule.OFF.challengesNewVersions()).isFalse();
        assertThat(Mode.of("Canary")).isEqualTo(Mode.CANARY);
        assertThatThrownBy(() -> new ChallengerRule(Mode.CANARY, 1.5)).hasMessageContaining("--canary-share");
        assertThatThrownBy(() -> new ChallengerRule(Mode.CANARY, Double.NaN)).hasMessageContaining("NaN");
    }
}
