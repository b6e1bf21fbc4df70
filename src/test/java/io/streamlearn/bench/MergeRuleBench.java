package io.streamlearn.bench;

import ai.djl.Device;
import io.streamlearn.app.SpecResolver;
import io.streamlearn.core.example.Example;
import io.streamlearn.core.model.ModelSpec;
import io.streamlearn.trainer.learn.LearningMetrics;
import io.streamlearn.trainer.learn.OnlineLearner;
import io.streamlearn.trainer.state.Contribution;
import io.streamlearn.trainer.state.ModelMerge;
import io.streamlearn.trainer.state.TrainerState;
import java.util.List;
import java.util.Locale;

/**
 * The measurement behind the optimizer-state rule of data-parallel training ({@code ModelMerge}): two learners train
 * on alternate batches of Fashion-MNIST train and are merged every K batches each (one checkpoint of a job at
 * parallelism 2) by {@link ModelMerge}, continuing with the optimizer state reset or with the heaviest subtask's;
 * one learner alone is the reference. Prints {@code RESULT single_acc=… reset_acc=… heaviest_acc=…} (test accuracy
 * on t10k after one pass). Arguments: examples (default 60000) and K (default 10).
 */
public final class MergeRuleBench {
    private MergeRuleBench() {}

    public static void main(String[] args) throws Exception {
        int limit = args.length > 0 ? Integer.parseInt(args[0]) : 60_000;
        int every = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        ModelSpec spec = SpecResolver.resolve("mlp");
        List<Example> train = TrainerBench.load("fashion-mnist/train", limit);
        List<Example> test = TrainerBench.load("fashion-mnist/t10k", Integer.MAX_VALUE);
        double single;
        try (OnlineLearner l = new OnlineLearner(spec, Device.cpu(), 0, spec.batchSize(), null)) {
            for (int i = 0; i + spec.batchSize() <= train.size(); i += spec.batchSize()) {
                l.step(train.subList(i, i + spec.batchSize()));
            }
            single = TrainerBench.testAccuracy(spec, l.saveParameters(), test);
        }
        System.out.printf(Locale.ROOT, "RESULT examples=%d merge_every_batches=%d single_acc=%.4f reset_acc=%.4f "
                + "heaviest_acc=%.4f%n", train.size(), every, single, parallel(spec, train, test, false, every),
                parallel(spec, train, test, true, every));
    }

    private static double parallel(ModelSpec spec, List<Example> train, List<Example> test, boolean keepHeaviest,
            int every) {
        int b = spec.batchSize();
        try (OnlineLearner a = new OnlineLearner(spec, Device.cpu(), 0, b, null);
                OnlineLearner c = new OnlineLearner(spec, Device.cpu(), 0, b, null)) {
            LearningMetrics base = new LearningMetrics(spec.classes());
            int batches = 0;
            for (int i = 0; i + 2 * b <= train.size(); i += 2 * b) {
                a.step(train.subList(i, i + b));
                c.step(train.subList(i + b, i + 2 * b));
                if (++batches % every == 0) {
                    long weight = (long) every * b;
                    ModelMerge m = ModelMerge.of(List.of(contribution(a, 0, batches, weight, base),
                            contribution(c, 1, batches, weight, base)));
                    for (OnlineLearner l : List.of(a, c)) {
                        l.loadParameterValues(m.params());
                        if (keepHeaviest) {
                            l.loadOptimizerState(m.optimizerState());
                        } else {
                            l.resetOptimizer();
                        }
                    }
                }
            }
            return TrainerBench.testAccuracy(spec, a.saveParameters(), test);
        }
    }

    private static Contribution contribution(OnlineLearner l, int subtask, long checkpoint, long weight,
            LearningMetrics base) {
        TrainerState s = new TrainerState(new byte[0], l.saveOptimizerState(), base, List.of(), 0, new byte[0], "m");
        return new Contribution(subtask, 2, checkpoint, weight, l.parameterNames(), l.parameterValues(), base, s,
                new long[0], new byte[0]);
    }
}
