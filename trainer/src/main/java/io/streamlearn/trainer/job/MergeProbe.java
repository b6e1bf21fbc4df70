package io.streamlearn.trainer.job;

import io.streamlearn.trainer.state.Contribution;
import java.util.List;
import java.util.function.Supplier;

/**
 * Test hooks into the merge of data-parallel trainer subtasks, which a MiniCluster runs in the test's own JVM: a
 * test slows one subtask before it contributes, or checks every merge against its own weighted average. Production
 * never sets them; the defaults do nothing.
 */
final class MergeProbe {
    /** Called by a subtask before it offers its contribution. */
    interface BeforeContribute {
        void before(int subtask, long checkpointId) throws InterruptedException;
    }

    /** Called by a subtask after it loaded the merged model: the contributions and its parameters now. */
    interface AfterMerge {
        void after(int subtask, long checkpointId, List<Contribution> contributions, Supplier<float[][]> loaded);
    }

    static volatile BeforeContribute beforeContribute = (subtask, checkpointId) -> { };
    static volatile AfterMerge afterMerge = (subtask, checkpointId, contributions, loaded) -> { };

    private MergeProbe() {}

    /** Back to doing nothing. */
    static void reset() {
        beforeContribute = (subtask, checkpointId) -> { };
        afterMerge = (subtask, checkpointId, contributions, loaded) -> { };
    }
}
