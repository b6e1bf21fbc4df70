package io.streamlearn.trainer.learn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.training.loss.Loss;
import io.streamlearn.core.model.LossKind;

/**
 * A spec's loss computed per example and averaged with the examples' weights: given labels {@code (targets,
 * weights)}, with the weights already divided by their sum, the loss is {@code sum(weight_i * loss_i)}, so an example
 * of weight 2 counts exactly as that example twice; given only targets, the plain mean. The per-example losses are
 * DJL's (softmax cross-entropy on class indices, sigmoid binary cross-entropy on logits, ½·squared error averaged over
 * the outputs) plus Huber ({@link LossKind#HUBER_DELTA}), so with weights 1 the values are DJL's losses.
 */
public final class WeightedLoss extends Loss {
    private final LossKind kind;

    public WeightedLoss(LossKind kind) {
        super(kind.jsonName());
        this.kind = kind;
    }

    @Override
    public NDArray evaluate(NDList labels, NDList predictions) {
        NDArray perExample = perExample(labels.head(), predictions.singletonOrThrow());
        return labels.size() > 1 ? perExample.mul(labels.get(1)).sum() : perExample.mean();
    }

    /** The loss of each row, shape {@code (n)}. */
    NDArray perExample(NDArray y, NDArray pred) {
        long n = pred.getShape().get(0);
        return switch (kind) {
            case SOFTMAX_CROSS_ENTROPY -> pred.logSoftmax(-1).get(new NDIndex().addAllDim().addPickDim(y)).neg()
                    .reshape(new Shape(n));
            case SIGMOID_BINARY_CROSS_ENTROPY -> Activation.relu(pred).sub(pred.mul(y))
                    .add(Activation.softPlus(pred.abs().neg())).reshape(new Shape(n));
            case L2 -> pred.sub(y).square().mul(0.5f).mean(new int[] {1});
            case HUBER -> {
                // ½·min(|d|, δ)² + δ·(|d| − min(|d|, δ)): quadratic up to δ, linear beyond, one formula for both.
                NDArray d = pred.sub(y).abs();
                NDArray quadratic = d.minimum(LossKind.HUBER_DELTA);
                yield quadratic.square().mul(0.5f).add(d.sub(quadratic).mul(LossKind.HUBER_DELTA)).mean(new int[] {1});
            }
        };
    }
}
