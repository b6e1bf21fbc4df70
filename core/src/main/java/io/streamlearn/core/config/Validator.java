package io.streamlearn.core.config;

import java.util.List;
import java.util.Objects;

/**
 * A check of a setting's parsed value; returns why the value is refused, or null when it is fine.
 *
 * @param <T> the value's type
 */
@FunctionalInterface
public interface Validator<T> {
    /** Null when {@code value} is acceptable, else what it must be (e.g. "must be >= 1"). */
    String problem(T value);

    /** Accepts everything. */
    static <T> Validator<T> any() {
        return v -> null;
    }

    /** At least {@code min}. */
    static <T extends Number & Comparable<T>> Validator<T> atLeast(T min) {
        return v -> v.compareTo(min) >= 0 ? null : "must be >= " + min;
    }

    /** In {@code [min, max]}. */
    static <T extends Number & Comparable<T>> Validator<T> between(T min, T max) {
        return v -> v.compareTo(min) >= 0 && v.compareTo(max) <= 0 ? null : "must be " + min + ".." + max;
    }

    /** One of the given words. */
    static Validator<String> oneOf(String... allowed) {
        List<String> words = List.of(allowed);
        return v -> words.contains(v) ? null : "must be one of " + String.join(", ", words);
    }

    /** Not blank. */
    static Validator<String> nonBlank() {
        return v -> v == null || v.isBlank() ? "must not be blank" : null;
    }

    /** This check, its refusal followed by {@code why} in parentheses (where the limit comes from, the fix). */
    default Validator<T> because(String why) {
        Objects.requireNonNull(why);
        return v -> {
            String p = problem(v);
            return p == null ? null : p + " (" + why + ")";
        };
    }

    /** Both checks. */
    default Validator<T> and(Validator<T> other) {
        Objects.requireNonNull(other);
        return v -> {
            String p = problem(v);
            return p != null ? p : other.problem(v);
        };
    }
}
