package io.streamlearn.core.config;

import java.util.List;
import java.util.Objects;

/**
 * One setting, defined once: its name (the command-line option is {@code --name}; units go in the name, as in
 * {@code checkpoint-interval-ms}), type, default, validator and documentation. Kafka's {@code ConfigDef.define}
 * in one immutable value.
 *
 * <pre>{@code
 * public static final Setting<Long> MAX_WAIT_MS = Setting.of("max-wait-ms", Type.LONG)
 *         .withDefault(200L).withValidator(Validator.atLeast(1L))
 *         .withDoc("Longest wait for a mini-batch to fill.");
 * }</pre>
 *
 * @param <T> the parsed value's type
 */
public final class Setting<T> {
    private final String name;
    private final List<String> aliases;
    private final Type<T> type;
    private final T defaultValue;
    private final boolean required;
    private final Validator<T> validator;
    private final String doc;
    private final String label;

    private Setting(String name, List<String> aliases, Type<T> type, T defaultValue, boolean required,
            Validator<T> validator, String doc, String label) {
        if (name == null || !name.matches("[a-z][a-z0-9]*(-[a-z0-9]+)*")) {
            throw new IllegalArgumentException("setting name '" + name + "' must be lower-case words joined by '-'");
        }
        this.name = name;
        this.aliases = List.copyOf(aliases);
        this.type = Objects.requireNonNull(type, "type");
        this.defaultValue = defaultValue;
        this.required = required;
        this.validator = Objects.requireNonNull(validator, "validator");
        this.doc = Objects.requireNonNull(doc, "doc");
        this.label = label;
    }

    /** A new optional setting without a default, validator or documentation yet. */
    public static <T> Setting<T> of(String name, Type<T> type) {
        return new Setting<>(name, List.of(), type, null, false, Validator.any(), "", null);
    }

    /** A flag (off unless given; read it with {@link SettingValues#flag}) documented by {@code doc}. */
    public static Setting<Boolean> flag(String name, String doc) {
        return of(name, Type.FLAG).withDoc(doc);
    }

    /** This setting with {@code value} as its default. */
    public Setting<T> withDefault(T value) {
        return new Setting<>(name, aliases, type, value, false, validator, doc, label);
    }

    /** This setting, required (no default). */
    public Setting<T> asRequired() {
        return new Setting<>(name, aliases, type, null, true, validator, doc, label);
    }

    /** This setting, also accepted as each of {@code aliases} (full forms such as {@code -X}). */
    public Setting<T> withAliases(String... more) {
        return new Setting<>(name, List.of(more), type, defaultValue, required, validator, doc, label);
    }

    public Setting<T> withValidator(Validator<T> check) {
        return new Setting<>(name, aliases, type, defaultValue, required, check, doc, label);
    }

    public Setting<T> withDoc(String text) {
        return new Setting<>(name, aliases, type, defaultValue, required, validator, text, label);
    }

    /** This setting with {@code placeholder} in help instead of its type's. */
    public Setting<T> withLabel(String placeholder) {
        return new Setting<>(name, aliases, type, defaultValue, required, validator, doc, placeholder);
    }

    /** The name, e.g. {@code checkpoint-interval-ms}. */
    public String name() {
        return name;
    }

    /** The long option, e.g. {@code --checkpoint-interval-ms}. */
    public String option() {
        return "--" + name;
    }

    /** Other full option names accepted for this one, e.g. {@code -X}. */
    public List<String> aliases() {
        return aliases;
    }

    public Type<T> type() {
        return type;
    }

    /** The default, or null when there is none (required, or computed from other settings as the doc says). */
    public T defaultValue() {
        return defaultValue;
    }

    /** The default as a user types it (an enum constant as {@code lr-boost}), or null when there is none. */
    public String defaultText() {
        if (defaultValue instanceof Enum<?> e) {
            return e.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }
        return defaultValue == null ? null : String.valueOf(defaultValue);
    }

    public boolean required() {
        return required;
    }

    public String doc() {
        return doc;
    }

    /** The placeholder of the value in help, e.g. {@code N}; empty for a flag. */
    public String label() {
        return label != null ? label : type.label();
    }

    /** The value of {@code raws} (each occurrence's text), checked; the exception names the option. */
    public T parse(List<String> raws) {
        T value;
        try {
            value = type.parseAll(raws);
        } catch (RuntimeException e) {
            throw new SettingException(option() + ": " + describe(raws) + " is not a valid " + label()
                    + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")"), e);
        }
        check(value);
        return value;
    }

    /** The check of a parsed value, for builders that check a field the way {@link #check} checks an option. */
    public Validator<T> validator() {
        return validator;
    }

    /** Refuses {@code value} when the validator does, naming the option and the value. */
    public void check(T value) {
        String problem = validator.problem(value);
        if (problem != null) {
            throw new SettingException(option() + " is " + value + ", which " + problem);
        }
    }

    private static String describe(List<String> raws) {
        return raws.size() == 1 ? "'" + raws.get(0) + "'" : raws.toString();
    }

    @Override
    public String toString() {
        return option();
    }
}
