package io.streamlearn.core.config;

import java.util.Map;

/** The checked values of one {@link SettingsDef}: what was given, else the default. */
public final class SettingValues {
    private final SettingsDef def;
    private final Map<String, Object> given;

    SettingValues(SettingsDef def, Map<String, Object> given) {
        this.def = def;
        this.given = Map.copyOf(given);
    }

    /** The value given, else the default (null when the setting has none). */
    @SuppressWarnings("unchecked")
    public <T> T get(Setting<T> setting) {
        Setting<?> own = own(setting);
        Object v = given.get(own.name());
        return v != null ? (T) v : (T) own.defaultValue();
    }

    /** Whether flag {@code setting} is on: given (or on by default); a flag without a default reads null when absent. */
    public boolean flag(Setting<Boolean> setting) {
        return Boolean.TRUE.equals(get(setting));
    }

    /** Whether the setting was given, rather than defaulted. */
    public boolean isSet(Setting<?> setting) {
        return given.containsKey(own(setting).name());
    }

    /** The definition these values were parsed by. */
    public SettingsDef definition() {
        return def;
    }

    private Setting<?> own(Setting<?> setting) {
        // The definition's own copy: it may carry another default than the shared constant.
        return def.find(setting.option()).orElseThrow(() -> new IllegalArgumentException(
                def.component() + " does not define " + setting.option() + ": add it to its SettingsDef"));
    }

    @Override
    public String toString() {
        return def.component() + given;
    }
}
