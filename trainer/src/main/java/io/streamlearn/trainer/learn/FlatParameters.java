package io.streamlearn.trainer.learn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.List;

/**
 * A block's trainable parameters as views of one flat buffer, the layout fused optimizers and
 * PyTorch's flat parameters use: the buffer is the autograd leaf, so backward accumulates every
 * gradient into one flat gradient, and the optimizer update, the rollback copy and the finiteness
 * check are each one native operation whatever the number of layers (they were one or two per
 * parameter: a JNI call and a tensor each).
 */
final class FlatParameters implements AutoCloseable {
    private static final NDIndex ALL = new NDIndex("...");

    private final NDArray values;
    private final NDArray detached;
    private final NDArray lastGood;
    private final List<String> names;
    private final List<Shape> shapes;

    private FlatParameters(NDArray values, List<String> names, List<Shape> shapes) {
        this.values = values;
        // The same storage outside autograd: in-place copies into a leaf that requires a gradient are refused.
        this.detached = values.stopGradient();
        this.lastGood = detached.duplicate();
        this.names = names;
        this.shapes = shapes;
    }

    /**
     * Moves the block's initialized trainable parameters into one flat buffer and makes each parameter a
     * view of its slice. Call in gradient mode (the views must record that they come from the buffer, or
     * autograd would give each its own gradient) and before a Trainer first sees the parameters (its
     * parameter store keeps the arrays it first sees).
     */
    static FlatParameters adopt(Block block) {
        List<Parameter> trainable = new ArrayList<>();
        List<String> names = new ArrayList<>();
        List<Shape> shapes = new ArrayList<>();
        for (Pair<String, Parameter> p : block.getParameters()) {
            if (p.getValue().requiresGradient()) {
                trainable.add(p.getValue());
                names.add(p.getKey());
                shapes.add(p.getValue().getArray().getShape());
            }
        }
        if (trainable.isEmpty()) {
            throw new IllegalArgumentException("the network has no trainable parameters");
        }
        NDArray flat;
        try (NDList pieces = new NDList(trainable.size())) {
            for (Parameter p : trainable) {
                try (NDArray d = p.getArray().stopGradient()) {
                    pieces.add(d.reshape(-1));
                }
            }
            flat = NDArrays.concat(pieces);
        }
        flat.setName("flat-parameters");
        flat.setRequiresGradient(true);
        long offset = 0;
        for (int i = 0; i < trainable.size(); i++) {
            Parameter p = trainable.get(i);
            long size = shapes.get(i).size();
            NDArray view;
            try (NDArray slice = flat.get(new NDIndex(offset + ":" + (offset + size)))) {
                view = slice.reshape(shapes.get(i));
            }
            offset += size;
            // Parameter allows a new array only once its old one is gone and its shape unset.
            p.close();
            p.setShape(null);
            p.setArray(view);
        }
        return new FlatParameters(flat, List.copyOf(names), List.copyOf(shapes));
    }

    /** The flat buffer, the autograd leaf the optimizer updates in place. */
    NDArray values() {
        return values;
    }

    /** The flat gradient of the last backward pass; the caller closes the handle. */
    NDArray gradient() {
        return values.getGradient();
    }

    /** Parameter names in buffer order. */
    List<String> names() {
        return names;
    }

    /** Parameter shapes in buffer order. */
    List<Shape> shapes() {
        return shapes;
    }

    /**
     * The current parameters (which just gave a finite loss) become the state to return to: one copy on the
     * device, an assignment rather than arithmetic, which would keep a NaN.
     */
    void rememberAsGood() {
        lastGood.set(ALL, detached);
    }

    /** Returns every parameter to the state {@link #rememberAsGood()} saved, in one copy. */
    void returnToLastGood() {
        detached.set(ALL, lastGood);
    }

    /** Whether every parameter is finite: one reduction and one device sync. */
    boolean finite() {
        try (NDArray nan = detached.isNaN();
                NDArray inf = detached.isInfinite();
                NDArray bad = nan.logicalOr(inf);
                NDArray any = bad.any()) {
            return !any.getBoolean();
        }
    }

    @Override
    public void close() {
        lastGood.close();
        detached.close();
    }
}
