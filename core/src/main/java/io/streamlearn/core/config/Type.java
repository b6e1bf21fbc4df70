package io.streamlearn.core.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How a setting's text becomes its value: the parser of one occurrence, and for repeatable settings how the
 * occurrences combine.
 *
 * @param <T> the value's Java type
 */
public interface Type<T> {
    /** Text as given on a command line. */
    Type<String> STRING = simple("TEXT", s -> s);
    /** A 32-bit integer. */
    Type<Integer> INT = simple("N", s -> Integer.parseInt(s.trim()));
    /** A 64-bit integer. */
    Type<Long> LONG = simple("N", s -> Long.parseLong(s.trim()));
    /** A decimal number. */
    Type<Double> DOUBLE = simple("X", s -> Double.parseDouble(s.trim()));
    /** A file or directory. */
    Type<Path> PATH = simple("PATH", Path::of);
    /** A duration: "90", "90s", "500ms", "2m" or ISO-8601 "PT90S" (a bare number is seconds). */
    Type<Duration> DURATION = simple("DURATION", Type::parseDuration);
    /** A switch: present means true; on a {@code --name value} command line also "true" or "false". */
    Type<Boolean> FLAG = new Type<>() {
        @Override
        public Boolean parse(String raw) {
            return switch (raw.trim().toLowerCase(Locale.ROOT)) {
                case "", "true" -> true;
                case "false" -> false;
                default -> throw new IllegalArgumentException("'" + raw + "' is not true or false");
            };
        }

        @Override
        public String label() {
            return "";
        }

        @Override
        public boolean flag() {
            return true;
        }
    };
    /** Repeatable {@code KEY=VALUE} pairs, later ones winning. */
    Type<Map<String, String>> KEY_VALUES = new Type<>() {
        @Override
        public Map<String, String> parse(String raw) {
            int eq = raw.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("'" + raw + "' is not KEY=VALUE");
            }
            Map<String, String> out = new LinkedHashMap<>();
            out.put(raw.substring(0, eq).trim(), raw.substring(eq + 1));
            return out;
        }

        @Override
        public Map<String, String> parseAll(List<String> raws) {
            Map<String, String> out = new LinkedHashMap<>();
            raws.forEach(r -> out.putAll(parse(r)));
            return out;
        }

        @Override
        public String label() {
            return "KEY=VALUE";
        }

        @Override
        public boolean repeatable() {
            return true;
        }
    };

    /** The value of one occurrence; throws IllegalArgumentException (or NumberFormatException) on bad text. */
    T parse(String raw);

    /** The placeholder shown in help, e.g. {@code N} or {@code PATH}. */
    String label();

    /** The value of all occurrences of a setting, in order; by default the last one wins. */
    default T parseAll(List<String> raws) {
        return parse(raws.get(raws.size() - 1));
    }

    /** Whether the setting takes no value on the command line. */
    default boolean flag() {
        return false;
    }

    /** Whether the setting may be given more than once. */
    default boolean repeatable() {
        return false;
    }

    /** A single-valued type with a parser. */
    static <T> Type<T> simple(String label, java.util.function.Function<String, T> parser) {
        return new Type<>() {
            @Override
            public T parse(String raw) {
                return parser.apply(raw);
            }

            @Override
            public String label() {
                return label;
            }
        };
    }

    /** Parses "90", "90s", "500ms", "2m" or ISO-8601 "PT90S". */
    static Duration parseDuration(String s) {
        String t = s.trim().toLowerCase(Locale.ROOT);
        try {
            if (t.startsWith("pt")) {
                return Duration.parse(t.toUpperCase(Locale.ROOT));
            }
            if (t.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
            }
            if (t.endsWith("m")) {
                return Duration.ofMinutes(Long.parseLong(t.substring(0, t.length() - 1)));
            }
            return Duration.ofSeconds(Long.parseLong(t.endsWith("s") ? t.substring(0, t.length() - 1) : t));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("duration '" + s + "' must look like 90, 90s, 500ms, 2m or PT90S", e);
        }
    }
}
