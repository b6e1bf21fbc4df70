package io.streamlearn.serving.model;

import ai.djl.ndarray.types.DataType;
import java.util.Locale;

/**
 * The number type serving's forward pass computes in ({@code --precision}): float32 as trained, or bfloat16 for
 * about twice the rows per second on CPUs with bfloat16 matrix units (Intel AMX or AVX-512 BF16), at the cost of a
 * bfloat16's 8-bit mantissa. docs/serving.md ("Precision") has the measured trade-off.
 */
public enum InferencePrecision {
    /** The parameters and activations as the trainer published them. */
    FLOAT32(DataType.FLOAT32),
    /**
     * Parameters cast once per loaded version, activations in bfloat16 after the input normalization; the logits
     * return to float32 before the softmax, so probabilities still sum to 1.
     */
    BFLOAT16(DataType.BFLOAT16);

    /** The values {@code --precision} accepts, as docs/cli.md shows them. */
    public static final String CHOICES = "float32|bfloat16";

    private final DataType dataType;

    InferencePrecision(DataType dataType) {
        this.dataType = dataType;
    }

    /** {@code float32} or {@code bfloat16} (also {@code fp32}, {@code bf16}), any case; else refused naming the choices. */
    public static InferencePrecision parse(String s) {
        return switch (s.trim().toLowerCase(Locale.ROOT)) {
            case "float32", "fp32" -> FLOAT32;
            case "bfloat16", "bf16" -> BFLOAT16;
            default -> throw new IllegalArgumentException("precision '" + s + "' is unknown: use " + CHOICES);
        };
    }

    /** DJL's type for the layers' parameters and activations. */
    public DataType dataType() {
        return dataType;
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
