package io.streamlearn.core.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** The training losses a {@link ModelSpec} may name. */
public enum LossKind {
    SOFTMAX_CROSS_ENTROPY,
    SIGMOID_BINARY_CROSS_ENTROPY,
    L2;

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
                + "', expected softmax_cross_entropy, sigmoid_binary_cross_entropy or l2");
    }
}
