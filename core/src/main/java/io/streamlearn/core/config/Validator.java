package io.streamlearn.core.config;

import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;

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

    /**
     * Accepts {@code keyword} in any case (e.g. "never", "none") or a value {@code parser} parses; else the problem
     * {@code problem} makes of the parser's {@link IllegalArgumentException}. For a string setting read later by
     * its own parser (a duration, a detector spec), so a bad value still fails where the option is given.
     */
    static Validator<String> keywordOr(String keyword, Consumer<String> parser,
            Function<IllegalArgumentException, String> problem) {
        Objects.requireNonNull(parser);
        return v -> {
            try {
                if (!v.equalsIgnoreCase(keyword)) {
                    parser.accept(v);
                }
                return null;
            } catch (IllegalArgumentException e) {
                return problem.apply(e);
            }
        };
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
