package io.streamlearn.trainer.learn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.streamlearn.core.example.Example;
import io.streamlearn.core.model.ModelSpec;
import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * What a batch is trained towards, in arrays reused from batch to batch: class labels (as the loss wants them: indices
 * or one-hot), regression targets, and the examples' weights divided by the sum over the training rows.
 */
final class BatchTargets {
    private final ModelSpec spec;
    private final float[] labels;
    private final float[] oneHot;
    /** Regression targets, row-major {@code (n, targets)}; empty for a classifier. */
    private final float[] values;
    private final float[] weights;

    BatchTargets(ModelSpec spec, int maxBatch) {
        this.spec = spec;
        this.labels = new float[maxBatch];
        this.oneHot = new float[spec.isRegression() ? 0 : maxBatch * spec.classes()];
        this.values = new float[maxBatch * spec.targets()];
        this.weights = new float[maxBatch];
    }

    int capacity() {
        return labels.length;
    }

    void set(int row, Example e) {
        labels[row] = e.label();
        weights[row] = e.weight();
        if (e.hasTarget() && values.length > 0) {
            System.arraycopy(e.target(), 0, values, row * spec.targets(), spec.targets());
        }
    }

    int[] actualClasses(int n) {
        int[] actual = new int[n];
        for (int i = 0; i < n; i++) {
            actual[i] = (int) labels[i];
        }
        return actual;
    }

    /** The regression targets of the first {@code n} rows (a copy), null for a classifier. */
    float[] actualValues(int n) {
        return spec.isRegression() ? Arrays.copyOf(values, n * spec.targets()) : null;
    }

    /**
     * Divides the weights of the first {@code train} rows by their sum, so that the loss is their weighted mean;
     * false when they sum to 0 (nothing to train on).
     */
    boolean normalizeWeights(int train) {
        double sum = 0;
        for (int i = 0; i < train; i++) {
            sum += weights[i];
        }
        if (!(sum > 0)) {
            return false;
        }
        for (int i = 0; i < train; i++) {
            weights[i] = (float) (weights[i] / sum);
        }
        return true;
    }

    /** The normalized weights of the first {@code train} rows, shape {@code (train)}. */
    NDArray weights(NDManager scope, int train) {
        return scope.create(FloatBuffer.wrap(weights, 0, train), new Shape(train));
    }

    /** The loss's targets for the first {@code n} rows. */
    NDArray targets(NDManager scope, int n) {
        if (spec.isRegression()) {
            return scope.create(FloatBuffer.wrap(values, 0, n * spec.targets()), new Shape(n, spec.targets()));
        }
        return switch (spec.loss()) {
            case SOFTMAX_CROSS_ENTROPY -> scope.create(FloatBuffer.wrap(labels, 0, n), new Shape(n));
            case SIGMOID_BINARY_CROSS_ENTROPY -> scope.create(FloatBuffer.wrap(labels, 0, n), new Shape(n, 1));
            case L2 -> {
                int k = spec.classes();
                Arrays.fill(oneHot, 0, n * k, 0f);
                for (int i = 0; i < n; i++) {
                    oneHot[i * k + (int) labels[i]] = 1f;
                }
                yield scope.create(FloatBuffer.wrap(oneHot, 0, n * k), new Shape(n, k));
            }
            case HUBER -> throw new IllegalStateException("huber is a regression loss; the spec refuses it here");
        };
    }
}
