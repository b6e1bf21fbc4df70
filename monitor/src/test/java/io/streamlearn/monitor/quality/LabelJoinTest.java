package io.streamlearn.monitor.quality;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamlearn.core.feedback.Feedback;
import io.streamlearn.core.prediction.Prediction;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LabelJoinTest {
    private final List<String> log = new ArrayList<>();
    private final LabelJoin join = new LabelJoin(10_000, 3, new LabelJoin.Listener() {
        @Override
        public void matched(LabelJoin.Match m) {
            log.add("matched " + m.prediction().id() + (m.correct() ? " correct" : " wrong")
                    + (m.shadow() == null ? "" : " shadow v" + m.shadow().version() + " error " + m.error(m.shadow())));
        }

        @Override
        public void expiredPrediction(Prediction p) {
            log.add("expired " + p.id());
        }

        @Override
        public void expiredShadow(Prediction p) {
            log.add("expired shadow " + p.id());
        }

        @Override
        public void unmatchedLabel(Feedback f) {
            log.add("unmatched " + f.id());
        }

        @Override
        public void duplicate(String side) {
            log.add("duplicate " + side);
        }
    });

    private static Prediction prediction(String id, int label) {
        return prediction(id, label, 1);
    }

    private static Prediction prediction(String id, int label, long version) {
        return new Prediction(id, label, List.of(new Prediction.Score(label, 0.9f)), "m", version, 1f);
    }

    @Test
    void joinsTheShadowPredictionOfARequestWithTheSameLabelInEitherOrder() {
        join.onPrediction(prediction("a", 1), 0);
        join.onShadowPrediction(prediction("a", 2, 2), 1);
        join.onShadowPrediction(prediction("b", 0, 2), 2);
        join.onPrediction(prediction("b", 0), 3);
        join.onLabel(new Feedback("a", 1), 4);
        join.onLabel(new Feedback("b", 0), 5);
        assertThat(log).containsExactly("matched a correct shadow v2 error 1.0", "matched b correct shadow v2 error 0.0");
        assertThat(join.pendingPredictions()).isZero();
    }

    @Test
    void countsAShadowThatCameAfterItsLabelOrWithoutAnAnswerAsExpired() {
        join.onPrediction(prediction("a", 1), 0);
        join.onLabel(new Feedback("a", 1), 1);
        join.onShadowPrediction(prediction("a", 1, 2), 2);
        join.onShadowPrediction(prediction("lonely", 1, 2), 3);
        join.onShadowPrediction(prediction("lonely", 1, 2), 4);
        assertThat(join.pendingPredictions()).as("shadows are not answers").isZero();
        join.expire(10_004);
        assertThat(log).containsExactly("matched a correct", "duplicate shadow", "expired shadow a",
                "expired shadow lonely");
    }

    @Test
    void joinsWhicheverSideComesFirst() {
        join.onPrediction(prediction("a", 1), 0);
        join.onLabel(new Feedback("a", 1), 5_000);
        join.onLabel(new Feedback("b", 0), 6_000);
        join.onPrediction(prediction("b", 2), 7_000);
        assertThat(log).containsExactly("matched a correct", "matched b wrong");
        assertThat(join.pendingPredictions()).isZero();
        assertThat(join.pendingLabels()).isZero();
    }

    @Test
    void expiresWhatWaitedLongerThanTheWindow() {
        join.onPrediction(prediction("old", 1), 0);
        join.onLabel(new Feedback("orphan", 1), 1_000);
        join.onPrediction(prediction("new", 1), 9_000);
        join.expire(10_000);
        assertThat(log).isEmpty();
        join.expire(10_001);
        assertThat(log).containsExactly("expired old");
        join.expire(11_001);
        assertThat(log).containsExactly("expired old", "unmatched orphan");
        join.onLabel(new Feedback("old", 1), 11_002);
        assertThat(join.pendingLabels()).isEqualTo(1);
        assertThat(join.pendingPredictions()).isEqualTo(1);
    }

    @Test
    void keepsTheFirstOfDuplicatesAndEvictsTheOldestBeyondTheLimit() {
        join.onPrediction(prediction("a", 1), 0);
        join.onPrediction(prediction("a", 2), 1);
        join.onPrediction(prediction("b", 1), 2);
        join.onPrediction(prediction("c", 1), 3);
        join.onPrediction(prediction("d", 1), 4);
        join.onLabel(new Feedback("a", 1), 5);
        // "a" was evicted to make room for "d": its late label now waits for a prediction that will not come.
        assertThat(log).containsExactly("duplicate prediction", "expired a");
        assertThat(join.pendingPredictions()).isEqualTo(3);
        assertThat(join.pendingLabels()).isEqualTo(1);
    }
}
