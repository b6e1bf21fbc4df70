package io.streamlearn.trainer.state;

import io.streamlearn.core.io.DataBlobs;
import io.streamlearn.trainer.learn.LearningMetrics;
import io.streamlearn.trainer.learn.RegressionCurve;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * The learning metrics of the whole model from those of its data-parallel subtasks, by one documented rule.
 * Every subtask starts an interval from the same merged {@code base}; what it adds is its own:
 * <ul>
 *   <li>counters and cumulative counts are the base plus every subtask's increase (sums over subtasks);</li>
 *   <li>fading sums (accuracies, per-class tables) fade the base by the examples of all subtasks and add what each
 *       subtask faded in on its own: {@code base * alpha^(all) + sum(m_i - base * alpha^(n_i))}, the fading sum of
 *       the pooled stream when each subtask's examples follow the base;</li>
 *   <li>the sliding window appends each subtask's newest outcomes to the base's, in subtask order;</li>
 *   <li>losses are the mean of the subtasks that stepped, weighted by the examples they trained.</li>
 * </ul>
 * One subtask's metrics are taken as they are.
 */
public final class MetricsMerge {
    private MetricsMerge() {}

    /** The merged metrics of {@code locals} (in subtask order), each of which started from {@code base}. */
    public static LearningMetrics merge(LearningMetrics base, List<LearningMetrics> locals) {
        if (locals.size() == 1) {
            return copy(locals.get(0));
        }
        LearningMetrics m = copy(base);
        long allTrained = 0;
        long allSeen = 0;
        for (LearningMetrics l : locals) {
            allTrained += l.examples - base.examples;
            allSeen += l.examples - base.examples + l.heldOut - base.heldOut;
        }
        double fadeTrained = Math.pow(LearningMetrics.ALPHA, allTrained);
        double fadeSeen = Math.pow(LearningMetrics.ALPHA, allSeen);
        m.fadingCorrect *= fadeTrained;
        m.fadingCount *= fadeTrained;
        m.holdoutFadingCorrect *= fadeSeen;
        m.holdoutFadingCount *= fadeSeen;
        m.championFadingCorrect *= fadeSeen;
        m.championFadingCount *= fadeSeen;
        for (int k = 0; k < m.classes; k++) {
            m.tp[k] *= fadeTrained;
            m.fp[k] *= fadeTrained;
            m.fn[k] *= fadeTrained;
        }
        double lossWeight = 0;
        double lastLoss = 0;
        double fadingLoss = 0;
        for (LearningMetrics l : locals) {
            long trained = l.examples - base.examples;
            double ft = Math.pow(LearningMetrics.ALPHA, trained);
            double fs = Math.pow(LearningMetrics.ALPHA, trained + l.heldOut - base.heldOut);
            m.examples += trained;
            m.steps += l.steps - base.steps;
            m.skippedSteps += l.skippedSteps - base.skippedSteps;
            m.rollbacks += l.rollbacks - base.rollbacks;
            m.correct += l.correct - base.correct;
            m.heldOut += l.heldOut - base.heldOut;
            m.heldOutCorrect += l.heldOutCorrect - base.heldOutCorrect;
            m.fadingCorrect += own(l.fadingCorrect, base.fadingCorrect, ft);
            m.fadingCount += own(l.fadingCount, base.fadingCount, ft);
            m.holdoutFadingCorrect += own(l.holdoutFadingCorrect, base.holdoutFadingCorrect, fs);
            m.holdoutFadingCount += own(l.holdoutFadingCount, base.holdoutFadingCount, fs);
            m.championFadingCorrect += own(l.championFadingCorrect, base.championFadingCorrect, fs);
            m.championFadingCount += own(l.championFadingCount, base.championFadingCount, fs);
            for (int k = 0; k < m.classes; k++) {
                m.tp[k] += own(l.tp[k], base.tp[k], ft);
                m.fp[k] += own(l.fp[k], base.fp[k], ft);
                m.fn[k] += own(l.fn[k], base.fn[k], ft);
            }
            appendWindow(m, l, (int) Math.min(l.windowWrites - base.windowWrites, LearningMetrics.WINDOW));
            if (l.steps > base.steps && !Double.isNaN(l.fadingLoss)) {
                lossWeight += trained;
                lastLoss += trained * l.lastLoss;
                fadingLoss += trained * l.fadingLoss;
            }
        }
        if (lossWeight > 0) {
            m.lastLoss = lastLoss / lossWeight;
            m.fadingLoss = fadingLoss / lossWeight;
        }
        mergeRegression(m, base, locals, fadeTrained, fadeSeen);
        return m;
    }

    /**
     * A regression model's fading error sums by the same rule as the accuracies: the prequential curve fades by the
     * examples trained, the holdout curve and the champion's error by the examples seen (as LearningMetrics does).
     */
    private static void mergeRegression(LearningMetrics m, LearningMetrics base, List<LearningMetrics> locals,
            double fadeTrained, double fadeSeen) {
        int n = RegressionCurve.STATE_LENGTH;
        double[] b = base.regressionState();
        double[] merged = null;
        for (LearningMetrics l : locals) {
            double[] r = l.regressionState();
            if (r.length == 0) {
                continue;
            }
            if (merged == null) {
                b = b.length == 0 ? new double[r.length] : b;
                merged = new double[r.length];
                for (int i = 0; i < r.length; i++) {
                    merged[i] = b[i] * (i < n ? fadeTrained : fadeSeen);
                }
            }
            long trained = l.examples - base.examples;
            double ft = Math.pow(LearningMetrics.ALPHA, trained);
            double fs = Math.pow(LearningMetrics.ALPHA, trained + l.heldOut - base.heldOut);
            for (int i = 0; i < r.length; i++) {
                // Not clamped at 0 as the counts are: a sum of targets may be negative.
                merged[i] += r[i] - b[i] * (i < n ? ft : fs);
            }
        }
        if (merged != null) {
            m.restoreRegressionState(merged);
        }
    }

    /** What a subtask faded in on its own: its sum less the base faded by its own examples (never below 0). */
    private static double own(double local, double base, double fade) {
        return Math.max(0, local - base * fade);
    }

    /** The newest {@code n} outcomes of {@code from}'s ring, oldest first, written into {@code to}'s ring. */
    private static void appendWindow(LearningMetrics to, LearningMetrics from, int n) {
        int w = LearningMetrics.WINDOW;
        for (long i = from.windowWrites - n; i < from.windowWrites; i++) {
            to.window[(int) (to.windowWrites++ % w)] = from.window[(int) (i % w)];
        }
    }

    /** An independent copy of {@code m}, through the checkpoint layout so that no field can be forgotten. */
    public static LearningMetrics copy(LearningMetrics m) {
        byte[] bytes = DataBlobs.write(LearningMetrics.WINDOW + 1024, out -> TrainerState.writeMetrics(out, m));
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            LearningMetrics copy = TrainerState.readMetrics(in);
            // The regression curves live in the state's optional tail, not in the shared layout.
            copy.restoreRegressionState(m.regressionState());
            return copy;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
