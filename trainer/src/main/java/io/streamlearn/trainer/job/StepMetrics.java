package io.streamlearn.trainer.job;

import io.streamlearn.trainer.learn.BatchOutcome;
import io.streamlearn.trainer.learn.LearningMetrics;
import io.streamlearn.trainer.learn.StepPipeline;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The trainer operator's Flink metrics of its steps (examples trained, steps, step time, the last batch's fill) and gauges of
 * its learning, and the warning of a rolled-back step; the operator records each finished step here in step order.
 */
final class StepMetrics {
    private static final Logger LOG = LoggerFactory.getLogger(StepMetrics.class);

    private final String model;
    private final int batchSize;
    private final Counter examples;
    private final Counter steps;
    private final Histogram stepMillis;
    private volatile int lastBatchSize;

    /** Registers in {@code group}; the suppliers are read by the metrics reporter (a merge replaces the metrics). */
    StepMetrics(MetricGroup group, String model, int batchSize, Supplier<LearningMetrics> metrics,
            LongSupplier version, DoubleSupplier learningRate) {
        this.model = model;
        this.batchSize = batchSize;
        examples = group.counter("examples_trained");
        steps = group.counter("steps");
        stepMillis = group.histogram("step_time_ms", new DescriptiveStatisticsHistogram(1000));
        LearningMetrics.registerGauges(group, metrics);
        group.gauge("model_version", version::getAsLong);
        group.gauge("batch_fill", () -> (double) lastBatchSize / batchSize);
        group.gauge("learning_rate", learningRate::getAsDouble);
    }

    /** Records a finished step, after {@code metrics} recorded its outcome. */
    void finished(StepPipeline.Done done, LearningMetrics metrics) {
        BatchOutcome o = done.outcome();
        stepMillis.update(done.nanos() / 1_000_000);
        lastBatchSize = o.trained() + o.heldOut();
        examples.inc(o.trained());
        if (o.stepped()) {
            steps.inc();
        }
        if (o.rolledBack()) {
            LOG.warn("trainer {}: loss not finite at step {}, step skipped and parameters returned to the last good "
                    + "state ({} skipped so far)", model, metrics.steps + 1, metrics.skippedSteps);
        }
    }
}
