package io.streamlearn.serving.model;

import java.util.Locale;

/**
 * The number type serving's forward pass computes in ({@code --precision}): float32 as trained, or bfloat16 for
 * about twice the forward pass's rows per second on CPUs with bfloat16 matrix units (Intel AMX; AVX-512 BF16 too,
 * not measured here), at the cost of bfloat16's 8 bits of precision. docs/serving.md ("Precision") has the
 * measured trade-off.
 */
public enum InferencePrecision {
    /** The parameters and activations as the trainer published them. */
    FLOAT32,
    /**
     * A classifier's parameters cast once per loaded version and its layers run in bfloat16 for batches of
     * {@link LoadedModel#BF16_MIN_ROWS} rows or more, the input normalization in float32 (or, for uint8 pixels, the
     * exact cast of the raw bytes); the logits return to float32 before the softmax, so probabilities still sum to 1.
     * A regression model stays in float32.
     */
    BFLOAT16;

    /** The values {@code --precision} accepts, as docs/cli.md shows them. */
    public static final String CHOICES = "float32|bfloat16";

    /** {@code float32} or {@code bfloat16} (also {@code fp32}, {@code bf16}), any case; else refused naming the choices. */
    public static InferencePrecision parse(String s) {
        return switch (s.trim().toLowerCase(Locale.ROOT)) {
            case "float32", "fp32" -> FLOAT32;
            case "bfloat16", "bf16" -> BFLOAT16;
            default -> throw new IllegalArgumentException("precision '" + s + "' is unknown: use " + CHOICES);
        };
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
