package io.streamlearn.trainer.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamlearn.core.example.Example;
import io.streamlearn.core.example.Features;
import io.streamlearn.trainer.learn.LearningMetrics;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The merge of data-parallel contributions, checked against values computed by hand. */
class ModelMergeTest {
    private static final String[] NAMES = {"01Linear_weight", "02BatchNorm_runningMean", "02BatchNorm_runningVar"};

    private static Contribution contribution(int subtask, int of, long weight, float[][] params, LearningMetrics base,
            LearningMetrics local, List<Example> buffered, long parent, long[] offsets, byte[] errors) {
        TrainerState state = new TrainerState(new byte[0], new byte[] {(byte) subtask}, local, buffered, parent,
                new byte[0], "lineage");
        return new Contribution(subtask, of, 7, weight, NAMES, params, base, state, offsets, errors);
    }

    private static LearningMetrics trained(LearningMetrics base, long examples, long correct) {
        LearningMetrics m = MetricsMerge.copy(base);
        m.examples += examples;
        m.correct += correct;
        m.steps += 1;
        return m;
    }

    @Test
    void parametersAreTheAverageWeightedByExamplesAndRunningVariancesUseTheParallelFormula() {
        LearningMetrics base = new LearningMetrics(2);
        Contribution a = contribution(0, 2, 1, new float[][] {{1f, 2f}, {0f}, {1f}}, base, trained(base, 1, 1),
                List.of(), 3, new long[] {0, 10, 1, 4}, new byte[] {1});
        Contribution b = contribution(1, 2, 3, new float[][] {{5f, -2f}, {4f}, {2f}}, base, trained(base, 3, 2),
                List.of(), 4, new long[] {1, 9, 2, 6}, new byte[] {0, 0, 1});
        ModelMerge m = ModelMerge.of(List.of(b, a));
        assertThat(m.params()[0]).containsExactly(4f, -1f);
        assertThat(m.params()[1]).containsExactly(3f);
        // (1 * (1 + 3^2) + 3 * (2 + 1^2)) / 4
        assertThat(m.params()[2]).containsExactly(4.75f);
        assertThat(m.optimizerState()).as("the heaviest subtask's").containsExactly(1);
        assertThat(m.metrics().examples).isEqualTo(4);
        assertThat(m.metrics().correct).isEqualTo(3);
        assertThat(m.metrics().steps).isEqualTo(2);
        assertThat(m.offsets()).containsExactly(0, 10, 1, 9, 2, 6);
        assertThat(m.errors()).containsExactly(1, 0, 0, 1);
        assertThat(m.parentVersion()).isEqualTo(4);
        assertThat(m.published()).isTrue();
    }

    @Test
    void whenNoSubtaskTrainedTheModelIsSubtaskZerosAndOneContributionIsTakenAsItIs() {
        LearningMetrics base = new LearningMetrics(2);
        float[][] p = {{0.1f, 0.2f}, {0.3f}, {0.4f}};
        ModelMerge idle = ModelMerge.of(List.of(
                contribution(0, 2, 0, p, base, base, List.of(), 1, new long[0], new byte[0]),
                contribution(1, 2, 0, new float[][] {{9f, 9f}, {9f}, {9f}}, base, base, List.of(), 1, new long[0],
                        new byte[0])));
        assertThat(idle.params()).isSameAs(p);
        ModelMerge alone = ModelMerge.of(List.of(contribution(0, 1, 5, p, base, trained(base, 5, 5), List.of(), 1,
                new long[0], new byte[0])));
        assertThat(alone.params()).isSameAs(p);
        assertThat(alone.metrics().examples).isEqualTo(5);
    }

    @Test
    void bufferedExamplesGoToExactlyOneSubtaskAtAnyParallelism() {
        LearningMetrics base = new LearningMetrics(2);
        float[][] p = {{0f, 0f}, {0f}, {1f}};
        List<Contribution> cs = new java.util.ArrayList<>();
        for (int s = 0; s < 3; s++) {
            cs.add(contribution(s, 3, 0, p, base, base, List.of(Example.labeled("b" + s, new Features.Float32(
                    new float[] {s}), 0)), 1, new long[0], new byte[0]));
        }
        ModelMerge m = ModelMerge.of(cs);
        assertThat(m.bufferedFor(0, 2)).extracting(Example::id).containsExactly("b0", "b2");
        assertThat(m.bufferedFor(1, 2)).extracting(Example::id).containsExactly("b1");
        assertThat(m.bufferedFor(3, 4)).isEmpty();
        assertThat(m.allBuffered()).extracting(Example::id).containsExactly("b0", "b1", "b2");
    }

    @Test
    void refusesAnIncompleteSetOfContributions() {
        LearningMetrics base = new LearningMetrics(2);
        float[][] p = {{0f, 0f}, {0f}, {1f}};
        assertThatThrownBy(() -> ModelMerge.of(List.of(contribution(0, 3, 0, p, base, base, List.of(), 1, new long[0],
                new byte[0]), contribution(2, 3, 0, p, base, base, List.of(), 1, new long[0], new byte[0]))))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("not one complete set of checkpoint 7");
    }

    @Test
    void contributionsRoundTripThroughTheirFormat() {
        LearningMetrics base = new LearningMetrics(2);
        Contribution c = contribution(1, 2, 3, new float[][] {{1f, Float.NaN}, {2f}, {3f}}, base, trained(base, 3, 1),
                List.of(Example.labeled("x", new Features.Float32(new float[] {1f}), 1)), 2, new long[] {0, 5},
                new byte[] {1, 0});
        Contribution back = Contribution.decode(c.encode());
        assertThat(back.encode()).isEqualTo(c.encode());
        assertThat(back.weight()).isEqualTo(3);
        assertThat(back.state().buffered()).extracting(Example::id).containsExactly("x");
        assertThatThrownBy(() -> Contribution.decode(new byte[] {1, 2, 3, 4, 5}))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("SLMC");
    }
}
