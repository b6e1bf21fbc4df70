package io.streamlearn.core.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.streamlearn.core.example.FeatureType;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Shape and dtype of one example's features, and the fixed scale the model applies on the device
 * (uint8 pixels arrive as bytes and become floats in the model's first block).
 *
 * @param shape  shape of one example without the batch axis, e.g. {@code [784]} or {@code [1,28,28]}
 * @param dtype  {@code float32} or {@code uint8}
 * @param scale  multiplier applied to every value; defaults to 1/255 for uint8 and 1 for float32
 * @param normalization {@code scale} (default: only the fixed scale) or {@code running}: after the
 *               scale, a running mean and variance per feature (per channel for images), learned
 *               online and saved with the parameters
 */
public record InputSpec(
        @JsonProperty("shape") List<Integer> shape,
        @JsonProperty("dtype") String dtype,
        @JsonProperty("scale") Float scale,
        @JsonProperty("normalization") String normalization) {

    public InputSpec {
        if (shape == null || shape.isEmpty()) {
            throw new IllegalArgumentException("input 'shape' must list at least one dimension");
        }
        for (Integer d : shape) {
            if (d == null || d < 1) {
                throw new IllegalArgumentException("input shape " + shape + " has a dimension below 1");
            }
        }
        shape = new ArrayList<>(shape);
        dtype = dtype == null ? "float32" : dtype.toLowerCase(Locale.ROOT);
        if (!dtype.equals("float32") && !dtype.equals("uint8")) {
            throw new IllegalArgumentException("input dtype '" + dtype + "' must be float32 or uint8");
        }
        normalization = normalization == null ? "scale" : normalization.toLowerCase(Locale.ROOT);
        if (!normalization.equals("scale") && !normalization.equals("running")) {
            throw new IllegalArgumentException("input normalization '" + normalization + "' must be scale or running");
        }
        if (scale == null) {
            scale = dtype.equals("uint8") ? 1f / 255f : 1f;
        }
        if (!Float.isFinite(scale) || scale == 0f) {
            throw new IllegalArgumentException("input scale " + scale + " must be finite and non-zero");
        }
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        if (n > io.streamlearn.core.example.Features.MAX_COUNT) {
            throw new IllegalArgumentException("input shape " + shape + " has " + n + " values, more than "
                    + io.streamlearn.core.example.Features.MAX_COUNT);
        }
    }

    /** An input with the fixed scale only. */
    public InputSpec(List<Integer> shape, String dtype, Float scale) {
        this(shape, dtype, scale, null);
    }

    public static InputSpec float32(int features) {
        return new InputSpec(List.of(features), "float32", 1f, null);
    }

    public static InputSpec uint8(int... shape) {
        List<Integer> s = new ArrayList<>();
        for (int d : shape) {
            s.add(d);
        }
        return new InputSpec(s, "uint8", null, null);
    }

    /** A copy with running mean and variance normalization. */
    public InputSpec withRunningNormalization() {
        return new InputSpec(shape, dtype, scale, "running");
    }

    public int featureCount() {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    public FeatureType featureType() {
        return dtype.equals("uint8") ? FeatureType.UINT8 : FeatureType.FLOAT32;
    }

    /** The shape as longs, for DJL. */
    public long[] dims() {
        return shape.stream().mapToLong(Integer::longValue).toArray();
    }
}
