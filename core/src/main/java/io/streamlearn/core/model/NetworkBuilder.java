package io.streamlearn.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.pooling.Pool;
import java.util.List;

/**
 * Turns a {@link ModelSpec} into a DJL {@link Block} that maps a batch of raw features
 * ({@code (B, N)} uint8 or float32, as they come off the wire) to logits {@code (B, classes)}, or for a regression
 * spec to the predicted values {@code (B, targets)}.
 * The first block casts, scales and reshapes on the device, so uint8 pixels cross to the device as
 * bytes. A trailing {@code softmax} layer is not part of the block: the loss and serving apply it.
 */
public final class NetworkBuilder {
    private NetworkBuilder() {}

    public static SequentialBlock build(ModelSpec spec) {
        SequentialBlock net = new SequentialBlock();
        float scale = spec.input().scale();
        long[] dims = spec.input().dims();
        net.add(LambdaBlock.singleton(x -> normalize(x, scale, dims), "normalize"));
        if ("running".equals(spec.input().normalization())) {
            // Running mean and variance per feature (per channel for images), no learned affine; momentum
            // 0.9 averages over about ten batches, so inference (test-then-train) keeps up with the stream:
            // the statistics are saved in the parameter file and used as they stand at inference.
            net.add(BatchNorm.builder().optCenter(false).optScale(false).optMomentum(0.9f).build());
        }
        List<LayerSpec> layers = spec.layers();
        int last = layers.size() - 1;
        if (layers.get(last).isSoftmax()) {
            last--;
        }
        for (int i = 0; i <= last; i++) {
            net.add(layer(layers.get(i), spec));
        }
        return net;
    }

    /** Shape of one input batch of {@code batch} examples as it enters the block. */
    public static Shape inputShape(ModelSpec spec, long batch) {
        return new Shape(batch, spec.featureCount());
    }

    private static NDArray normalize(NDArray x, float scale, long[] dims) {
        NDArray f = x.getDataType() == DataType.FLOAT32 ? x : x.toType(DataType.FLOAT32, false);
        return scaleAndShape(f, scale, dims);
    }

    /**
     * What the first block does after its cast to float32: scales {@code f} by the spec's input scale and reshapes
     * it to the input's dims. For a caller that runs the block's children itself in another number type (serving's
     * bfloat16), on {@code f} already cast to that type.
     */
    public static NDArray scaleAndShape(NDArray f, InputSpec input) {
        return scaleAndShape(f, input.scale(), input.dims());
    }

    /** {@code f} reshaped to the input's dims, as the first block leaves it, without its scale. */
    public static NDArray shapeAsInput(NDArray f, InputSpec input) {
        return scaleAndShape(f, 1f, input.dims());
    }

    private static NDArray scaleAndShape(NDArray f, float scale, long[] dims) {
        if (scale != 1f) {
            f = f.mul(scale);
        }
        long[] shape = new long[dims.length + 1];
        shape[0] = f.getShape().get(0);
        System.arraycopy(dims, 0, shape, 1, dims.length);
        return f.reshape(new Shape(shape));
    }

    private static Block layer(LayerSpec l, ModelSpec spec) {
        return switch (l.type()) {
            case "dense" -> Linear.builder().setUnits(l.units()).build();
            case "activation" -> switch (l.fn()) {
                case "relu" -> Activation.reluBlock();
                case "sigmoid" -> Activation.sigmoidBlock();
                case "tanh" -> Activation.tanhBlock();
                case "softmax" -> LambdaBlock.singleton(a -> a.softmax(-1), "softmax");
                default -> throw new IllegalArgumentException("unknown activation " + l.fn());
            };
            case "dropout" -> Dropout.builder().optRate(l.rate()).build();
            case "flatten" -> Blocks.batchFlattenBlock();
            case "conv2d" -> Conv2d.builder()
                    .setFilters(l.filters())
                    .setKernelShape(new Shape(l.kernel(), l.kernel()))
                    .optStride(new Shape(l.stride(), l.stride()))
                    .optPadding(new Shape(l.padding(), l.padding()))
                    .build();
            case "max_pool" -> Pool.maxPool2dBlock(new Shape(l.kernel(), l.kernel()), new Shape(l.stride(), l.stride()));
            default -> throw new IllegalArgumentException("model " + spec.name() + ": unknown layer " + l.type());
        };
    }
}
