package io.streamlearn.core.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Locale;
import java.util.Set;

/**
 * One layer of a {@link ModelSpec}. {@code type} is one of {@code dense} (units), {@code relu},
 * {@code sigmoid}, {@code tanh}, {@code softmax} (or {@code activation} with {@code fn}),
 * {@code dropout} (rate), {@code flatten}, {@code conv2d} (filters, kernel, stride, padding) and
 * {@code max_pool} (kernel, stride).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record LayerSpec(
        @JsonProperty("type") String type,
        @JsonProperty("units") Integer units,
        @JsonProperty("fn") String fn,
        @JsonProperty("rate") Float rate,
        @JsonProperty("filters") Integer filters,
        @JsonProperty("kernel") Integer kernel,
        @JsonProperty("stride") Integer stride,
        @JsonProperty("padding") Integer padding) {

    /** Activation functions a layer may name. */
    public static final Set<String> ACTIVATIONS = Set.of("relu", "sigmoid", "tanh", "softmax");

    public LayerSpec {
        if (type == null) {
            throw new IllegalArgumentException("layer without 'type'");
        }
        type = type.toLowerCase(Locale.ROOT);
        if (ACTIVATIONS.contains(type)) {
            fn = type;
            type = "activation";
        }
        switch (type) {
            case "dense" -> require(units, "units", 1);
            case "activation" -> {
                if (fn == null || !ACTIVATIONS.contains(fn.toLowerCase(Locale.ROOT))) {
                    throw new IllegalArgumentException("activation layer 'fn' is " + fn + ", expected one of "
                            + ACTIVATIONS);
                }
                fn = fn.toLowerCase(Locale.ROOT);
            }
            case "dropout" -> {
                if (rate == null || !(rate >= 0f && rate < 1f)) {
                    throw new IllegalArgumentException("dropout 'rate' is " + rate + ", must be in [0, 1)");
                }
            }
            case "flatten" -> { }
            case "conv2d" -> {
                require(filters, "filters", 1);
                require(kernel, "kernel", 1);
                stride = stride == null ? 1 : stride;
                padding = padding == null ? 0 : padding;
                require(stride, "stride", 1);
                require(padding, "padding", 0);
            }
            case "max_pool" -> {
                kernel = kernel == null ? 2 : kernel;
                stride = stride == null ? kernel : stride;
                require(kernel, "kernel", 1);
                require(stride, "stride", 1);
            }
            default -> throw new IllegalArgumentException("unknown layer type '" + type
                    + "', expected dense, relu, sigmoid, tanh, softmax, activation, dropout, flatten, conv2d or max_pool");
        }
    }

    private static void require(Integer v, String field, int min) {
        if (v == null || v < min) {
            throw new IllegalArgumentException("layer '" + field + "' is " + v + ", must be >= " + min);
        }
    }

    public static LayerSpec dense(int units) {
        return new LayerSpec("dense", units, null, null, null, null, null, null);
    }

    public static LayerSpec activation(String fn) {
        return new LayerSpec("activation", null, fn, null, null, null, null, null);
    }

    public static LayerSpec dropout(float rate) {
        return new LayerSpec("dropout", null, null, rate, null, null, null, null);
    }

    public static LayerSpec flatten() {
        return new LayerSpec("flatten", null, null, null, null, null, null, null);
    }

    public static LayerSpec conv2d(int filters, int kernel, int stride, int padding) {
        return new LayerSpec("conv2d", null, null, null, filters, kernel, stride, padding);
    }

    public static LayerSpec maxPool(int kernel, int stride) {
        return new LayerSpec("max_pool", null, null, null, null, kernel, stride, null);
    }

    /** Whether this is the softmax activation. */
    public boolean isSoftmax() {
        return "activation".equals(type) && "softmax".equals(fn);
    }
}
