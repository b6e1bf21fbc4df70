package io.streamlearn.trainer.state;

import io.streamlearn.core.example.Example;
import io.streamlearn.trainer.learn.LearningMetrics;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The one model of N data-parallel trainer subtasks at a checkpoint, computed on the CPU in one fixed order so that
 * every subtask (and every restore of that checkpoint, at any parallelism) gets the same bytes:
 * <ul>
 *   <li>parameters: the average weighted by the examples each subtask trained since the last merge (federated
 *       averaging), summed in subtask order in double precision; when no subtask trained, subtask 0's (which are
 *       the last merged model, as nobody stepped);</li>
 *   <li>running normalization statistics ({@code runningMean}/{@code runningVar} of a batch norm): the weighted mean,
 *       and the variance by the parallel formula {@code sum w_i (var_i + (mean_i - mean)^2) / sum w_i};</li>
 *   <li>optimizer state (moments, step counts): the state of the subtask that trained the most since the last merge
 *       (the lowest index on a tie), see the README's "scaling out" for the measurement behind this rule;</li>
 *   <li>metrics by {@link MetricsMerge}; source offsets: the furthest per partition; prequential errors: pooled in
 *       subtask order, for the one drift detector.</li>
 * </ul>
 * A single contribution is taken as it is, so parallelism 1 trains exactly as before.
 *
 * @param names         parameter names in block order
 * @param params        the merged parameter values
 * @param optimizerState the optimizer state every subtask continues with
 * @param metrics       the merged metrics
 * @param parentVersion the newest version any subtask knew to be published
 * @param published     whether a version was published since the last merge (the champion changed)
 * @param driftState    the drift detector's state at the last merge (the pooled errors are not yet fed to it)
 * @param lineageId     the lineage of the model
 * @param offsets       next offset per partition, {@code [partition, next, ...]}
 * @param errors        the pooled prequential errors since the last merge, subtask after subtask
 * @param subtasks      how many subtasks trained it
 * @param contributions the contributions, in subtask order
 */
public record ModelMerge(String[] names, float[][] params, byte[] optimizerState, LearningMetrics metrics,
        long parentVersion, boolean published, byte[] driftState, String lineageId, long[] offsets, byte[] errors,
        int subtasks, List<Contribution> contributions) {
    private static final String MEAN = "runningMean";
    private static final String VAR = "runningVar";

    /**
     * Merges the contributions of one checkpoint, all of its subtasks in any order.
     *
     * @throws IllegalStateException when they are not one complete set of the same checkpoint and model
     */
    public static ModelMerge of(List<Contribution> all) {
        List<Contribution> cs = new ArrayList<>(all);
        cs.sort(Comparator.comparingInt(Contribution::subtask));
        check(cs);
        Contribution first = cs.get(0);
        long total = cs.stream().mapToLong(Contribution::weight).sum();
        float[][] params = cs.size() == 1 || total == 0 ? first.params() : average(cs, total);
        Contribution heaviest = first;
        long minParent = Long.MAX_VALUE;
        long maxParent = Long.MIN_VALUE;
        ByteArrayOutputStream errors = new ByteArrayOutputStream();
        for (Contribution c : cs) {
            heaviest = c.weight() > heaviest.weight() ? c : heaviest;
            minParent = Math.min(minParent, c.state().parentVersion());
            maxParent = Math.max(maxParent, c.state().parentVersion());
            errors.writeBytes(c.errors());
        }
        long[] offsets = mergeOffsets(cs);
        LearningMetrics metrics = MetricsMerge.merge(first.base(), cs.stream().map(c -> c.state().metrics()).toList());
        return new ModelMerge(first.names(), params, heaviest.state().optimizerState(), metrics, maxParent,
                maxParent > minParent, first.state().driftState(), first.state().lineageId(), offsets,
                errors.toByteArray(), cs.size(), List.copyOf(cs));
    }

    private static void check(List<Contribution> cs) {
        if (cs.isEmpty()) {
            throw new IllegalStateException("no contributions to merge");
        }
        Contribution first = cs.get(0);
        for (int i = 0; i < cs.size(); i++) {
            Contribution c = cs.get(i);
            if (c.subtask() != i || c.subtasks() != cs.size() || c.checkpointId() != first.checkpointId()) {
                throw new IllegalStateException("contributions " + cs + " are not one complete set of checkpoint "
                        + first.checkpointId() + " (subtask " + i + " of " + cs.size() + " expected)");
            }
            if (!Arrays.equals(c.names(), first.names())) {
                throw new IllegalStateException("subtask " + i + " trained parameters " + Arrays.toString(c.names())
                        + ", subtask 0 " + Arrays.toString(first.names()) + ": they do not train the same model");
            }
            for (int p = 0; p < c.params().length; p++) {
                if (c.params()[p].length != first.params()[p].length) {
                    throw new IllegalStateException("parameter " + c.names()[p] + " has " + c.params()[p].length
                            + " values at subtask " + i + ", " + first.params()[p].length + " at subtask 0");
                }
            }
        }
    }

    /** The weighted average, summed in subtask order in double precision; running variances by the parallel formula. */
    static float[][] average(List<Contribution> cs, long total) {
        String[] names = cs.get(0).names();
        Map<String, Integer> index = new HashMap<>();
        for (int p = 0; p < names.length; p++) {
            index.put(names[p], p);
        }
        float[][] out = new float[names.length][];
        for (int p = 0; p < names.length; p++) {
            int mean = names[p].endsWith(VAR)
                    ? index.getOrDefault(names[p].substring(0, names[p].length() - VAR.length()) + MEAN, -1) : -1;
            out[p] = new float[cs.get(0).params()[p].length];
            for (int k = 0; k < out[p].length; k++) {
                double meanAll = 0;
                if (mean >= 0) {
                    for (Contribution c : cs) {
                        meanAll += c.weight() * (double) c.params()[mean][k];
                    }
                    meanAll /= total;
                }
                double sum = 0;
                for (Contribution c : cs) {
                    double v = c.params()[p][k];
                    if (mean >= 0) {
                        double d = c.params()[mean][k] - meanAll;
                        v += d * d;
                    }
                    sum += c.weight() * v;
                }
                out[p][k] = (float) (sum / total);
            }
        }
        return out;
    }

    private static long[] mergeOffsets(List<Contribution> cs) {
        Map<Long, Long> next = new java.util.TreeMap<>();
        for (Contribution c : cs) {
            for (int i = 0; i + 1 < c.offsets().length; i += 2) {
                next.merge(c.offsets()[i], c.offsets()[i + 1], Math::max);
            }
        }
        long[] pairs = new long[2 * next.size()];
        int i = 0;
        for (Map.Entry<Long, Long> e : next.entrySet()) {
            pairs[i++] = e.getKey();
            pairs[i++] = e.getValue();
        }
        return pairs;
    }

    /**
     * The examples buffered at this checkpoint that subtask {@code subtask} of {@code parallelism} trains next: those
     * of contribution {@code j} go to subtask {@code j % parallelism}, so each is trained once at any parallelism.
     */
    public List<Example> bufferedFor(int subtask, int parallelism) {
        List<Example> out = new ArrayList<>();
        for (Contribution c : contributions) {
            if (c.subtask() % parallelism == subtask) {
                out.addAll(c.state().buffered());
            }
        }
        return out;
    }

    /**
     * What subtask {@code subtask} of {@code parallelism} restores besides the parameters (which are not in it): the
     * merged optimizer state and metrics, its share of the buffered examples, the version and drift state of the
     * last merge (the pooled errors are fed when the merge is applied).
     */
    public TrainerState stateFor(int subtask, int parallelism) {
        return new TrainerState(null, optimizerState, MetricsMerge.copy(metrics), bufferedFor(subtask, parallelism),
                parentVersion, driftState, lineageId);
    }

    /** Every example buffered at this checkpoint, in subtask order (what a restart from the snapshot trains first). */
    public List<Example> allBuffered() {
        return bufferedFor(0, 1);
    }

    /** Examples trained since the last merge, by all subtasks. */
    public long weight() {
        return contributions.stream().mapToLong(Contribution::weight).sum();
    }
}
