package io.streamlearn.trainer.job;

import io.streamlearn.trainer.learn.BatchOutcome;
import io.streamlearn.trainer.learn.DriftWatch;
import io.streamlearn.trainer.learn.LearningMetrics;
import io.streamlearn.trainer.learn.OnlineLearner;
import io.streamlearn.trainer.state.Contribution;
import io.streamlearn.trainer.state.MetricsMerge;
import io.streamlearn.trainer.state.ModelMerge;
import io.streamlearn.trainer.state.TrainerState;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.List;

/**
 * One trainer subtask's side of data-parallel training: what it trained since the last merge (the weight, the metrics
 * base, its prequential errors), its contribution at a checkpoint, and the exchange that brings it the others'. At
 * parallelism 1 there is nothing to exchange and the operator trains exactly as a single trainer.
 */
final class DataParallel {
    private final int subtask;
    private final int subtasks;
    private final MergeExchange exchange;
    private final ByteArrayOutputStream errors = new ByteArrayOutputStream();
    private LearningMetrics base;

    DataParallel(int subtask, int subtasks, MergeExchange exchange, LearningMetrics merged) {
        this.subtask = subtask;
        this.subtasks = subtasks;
        this.exchange = exchange;
        rebase(merged);
    }

    /**
     * Subtask {@code subtask} of {@code subtasks} of job {@code jobId}, exchanging through the store of
     * {@code config}; subtask 0 first deletes the merge files that ended jobs of the model left behind.
     */
    static DataParallel open(int subtask, int subtasks, TrainerConfig config, String model, String jobId,
            LearningMetrics merged, long nowMs) {
        MergeExchange exchange = new MergeExchange(Path.of(config.storeRoot()), model, jobId, config.mergeTimeoutMs());
        if (subtask == 0) {
            exchange.removeEndedJobs(nowMs);
        }
        return new DataParallel(subtask, subtasks, exchange, merged);
    }

    /** Whether other subtasks train the same model. */
    boolean parallel() {
        return subtasks > 1;
    }

    int subtask() {
        return subtask;
    }

    int subtasks() {
        return subtasks;
    }

    /** Keeps the batch's prequential errors for the one drift detector, fed at the next merge. */
    void recordErrors(BatchOutcome o, double targetStd) {
        DriftWatch.errorsOf(o, targetStd, errors);
    }

    /** This subtask's contribution to {@code checkpointId}: {@code state} is its trainer state without parameters. */
    Contribution contribution(long checkpointId, OnlineLearner learner, LearningMetrics metrics, TrainerState state,
            long[] offsets) {
        return new Contribution(subtask, subtasks, checkpointId, metrics.examples - base.examples,
                learner.parameterNames(), learner.parameterValues(), base, state, offsets, errors.toByteArray());
    }

    /**
     * Offers {@code mine} ({@code encoded}: its bytes, already made for the checkpoint) and merges it with every other
     * subtask's contribution to the same checkpoint.
     */
    ModelMerge merge(Contribution mine, byte[] encoded) throws InterruptedException {
        MergeProbe.beforeContribute.before(subtask, mine.checkpointId());
        List<Contribution> all = exchange.exchange(mine, encoded);
        return ModelMerge.of(all);
    }

    /** A merge was loaded (or a checkpoint taken alone): what is trained from now on is counted from {@code merged}. */
    void rebase(LearningMetrics merged) {
        base = MetricsMerge.copy(merged);
        errors.reset();
    }

    /** The merge files of checkpoints up to {@code checkpointId} are no longer needed. */
    void forgetUpTo(long checkpointId) {
        if (parallel() && subtask == 0) {
            exchange.forgetUpTo(checkpointId);
        }
    }
}
