package io.streamlearn.trainer.learn;

import ai.djl.Device;
import ai.djl.nn.Parameter;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.initializer.Initializer;
import ai.djl.training.initializer.XavierInitializer;
import ai.djl.training.loss.Loss;
import io.streamlearn.core.model.ModelSpec;

/** Turns the loss, initializer and optimizer of a {@link ModelSpec} into a DJL training configuration. */
public final class TrainingSetup {
    private TrainingSetup() {}

    /** The spec's loss, per example and weighted by the examples' normalized weights ({@link WeightedLoss}). */
    public static Loss loss(ModelSpec spec) {
        return new WeightedLoss(spec.loss());
    }

    /** Xavier (Glorot) by default; He (Kaiming, gain 2 over fan-in) for ReLU networks that ask for it. */
    public static Initializer initializer(ModelSpec spec) {
        return "he".equals(spec.initializer())
                ? new XavierInitializer(XavierInitializer.RandomType.GAUSSIAN, XavierInitializer.FactorType.IN, 2f)
                : new XavierInitializer();
    }

    public static DefaultTrainingConfig config(ModelSpec spec, Device device, OnlineOptimizer optimizer) {
        return new DefaultTrainingConfig(loss(spec))
                .optOptimizer(optimizer)
                .optInitializer(initializer(spec), Parameter.Type.WEIGHT)
                .optDevices(new Device[] {device});
    }
}
