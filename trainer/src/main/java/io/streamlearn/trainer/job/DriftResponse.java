package io.streamlearn.trainer.job;

import io.streamlearn.core.event.DriftEvent;
import io.streamlearn.core.event.PlatformEvent;
import io.streamlearn.trainer.learn.DriftWatch;
import io.streamlearn.trainer.learn.OnlineLearner;
import io.streamlearn.trainer.snapshot.SnapshotPublisher;
import java.time.Clock;
import org.apache.flink.metrics.Counter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the trainer does when its drift detector sees the prequential error rise: the configured reaction on the
 * learner (every data-parallel subtask applies it at the same merge) and, from one subtask ({@code announces}), a
 * {@link DriftEvent}; {@code detected} counts detections.
 */
record DriftResponse(TrainerConfig config, SnapshotPublisher publisher, Counter detected, boolean announces) {
    private static final Logger LOG = LoggerFactory.getLogger(DriftResponse.class);

    /** Reacts to {@code estimate} (the error right after a change; NaN: none) of {@code drift}. */
    void react(double estimate, DriftWatch drift, OnlineLearner learner, long examples, long parentVersion) {
        if (Double.isNaN(estimate)) {
            return;
        }
        detected.inc();
        switch (config.driftReaction()) {
            case LR_BOOST -> learner.boostLearningRate(10f, 200);
            case RESET_OPTIMIZER -> learner.resetOptimizer();
            default -> { }
        }
        if (!announces) {
            return;
        }
        String model = config.spec().name();
        LOG.warn("trainer {}: {} detected drift in the prequential error after {} examples (error now {}); "
                + "reaction: {}", model, drift.name(), examples, estimate, config.driftReaction());
        publisher.sendEvent(new DriftEvent(model, PlatformEvent.TRAINER, drift.name(), DriftEvent.PREQUENTIAL_ERROR,
                examples, parentVersion, estimate, Clock.systemUTC().millis()));
    }
}
