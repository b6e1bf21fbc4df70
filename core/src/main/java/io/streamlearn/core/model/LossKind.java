package io.streamlearn.core.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * The training losses a {@link ModelSpec} may name. Every loss is computed per example, multiplied by the example's
 * weight and divided by the sum of the batch's weights. {@code l2} is ½·(output − target)² averaged over the outputs
 * (DJL's {@code L2Loss}; against one-hot class targets for a classifier, against the real target for regression);
 * {@code huber} (regression only) is ½·d² where |d| ≤ {@value #HUBER_DELTA} and {@value #HUBER_DELTA}·(|d| − ½·
 * {@value #HUBER_DELTA}) beyond, averaged over the outputs: squared error for small errors, absolute error for outliers.
 */
public enum LossKind {
    SOFTMAX_CROSS_ENTROPY,
    SIGMOID_BINARY_CROSS_ENTROPY,
    L2,
    HUBER;

    /**
     * Where Huber's loss turns from squared to absolute error, in target units: 1, as in PyTorch's
     * {@code HuberLoss} default; targets far larger than 1 are best standardized (or the loss is mostly absolute).
     */
    public static final float HUBER_DELTA = 1f;

    @JsonValue
    public String jsonName() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static LossKind of(String s) {
        for (LossKind k : values()) {
            if (k.jsonName().equalsIgnoreCase(s)) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown loss '" + s
                + "', expected softmax_cross_entropy, sigmoid_binary_cross_entropy, l2 or huber");
    }
}
