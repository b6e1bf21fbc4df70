package io.streamlearn.core.model;

import ai.djl.Device;
import ai.djl.nn.Parameter;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.initializer.XavierInitializer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;

/** Turns the loss and optimizer of a {@link ModelSpec} into a DJL training configuration. */
public final class TrainingSetup {
    private TrainingSetup() {}

    public static Loss loss(ModelSpec spec) {
        return switch (spec.loss()) {
            case SOFTMAX_CROSS_ENTROPY -> Loss.softmaxCrossEntropyLoss();
            case SIGMOID_BINARY_CROSS_ENTROPY -> Loss.sigmoidBinaryCrossEntropyLoss();
            case L2 -> Loss.l2Loss();
        };
    }

    public static Optimizer optimizer(ModelSpec spec) {
        OptimizerSpec o = spec.optimizer();
        Tracker lr = Tracker.fixed(o.learningRate());
        float wd = o.weightDecay() == null ? 0f : o.weightDecay();
        return switch (o.type()) {
            case "sgd" -> Optimizer.sgd().setLearningRateTracker(lr)
                    .optMomentum(o.momentum() == null ? 0f : o.momentum()).optWeightDecays(wd).build();
            case "adagrad" -> Optimizer.adagrad().optLearningRateTracker(lr).optWeightDecays(wd).build();
            default -> Optimizer.adam().optLearningRateTracker(lr).optWeightDecays(wd).build();
        };
    }

    public static DefaultTrainingConfig config(ModelSpec spec, Device device) {
        return new DefaultTrainingConfig(loss(spec))
                .optOptimizer(optimizer(spec))
                .optInitializer(new XavierInitializer(), Parameter.Type.WEIGHT)
                .optDevices(new Device[] {device});
    }
}
