package io.streamlearn.core.config;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The settings of one component (Kafka's {@code ConfigDef}): parses raw values into checked
 * {@link SettingValues}, refuses unknown names with the nearest known one, and documents itself.
 *
 * <pre>{@code
 * SettingsDef def = SettingsDef.of("trainer", KafkaSettings.DEF, TrainerSettings.SPEC, TrainerSettings.MAX_WAIT_MS);
 * SettingValues v = def.parseArgs(List.of("--bootstrap-server", "k:9092", "--max-wait-ms", "50"));
 * long wait = v.get(TrainerSettings.MAX_WAIT_MS);
 * }</pre>
 */
public final class SettingsDef {
    private final String component;
    private final Map<String, Setting<?>> byName;

    private SettingsDef(String component, Map<String, Setting<?>> byName) {
        this.component = component;
        this.byName = byName;
    }

    /** A definition of {@code component} made of settings and of other definitions' settings, in order. */
    public static SettingsDef of(String component, Object... settingsOrDefs) {
        Map<String, Setting<?>> m = new LinkedHashMap<>();
        for (Object o : settingsOrDefs) {
            Collection<Setting<?>> add = o instanceof SettingsDef d ? d.settings()
                    : o instanceof Setting<?> s ? List.of(s) : null;
            if (add == null) {
                throw new IllegalArgumentException("not a Setting or SettingsDef: " + o);
            }
            for (Setting<?> s : add) {
                if (m.putIfAbsent(s.name(), s) != null) {
                    throw new IllegalArgumentException(component + ": setting " + s.option() + " defined twice");
                }
            }
        }
        return new SettingsDef(component, m);
    }

    /** This definition with {@code setting} in place of the one of the same name (e.g. another default). */
    public SettingsDef replacing(Setting<?> setting) {
        if (!byName.containsKey(setting.name())) {
            throw new IllegalArgumentException(component + " has no setting " + setting.option() + " to replace");
        }
        Map<String, Setting<?>> m = new LinkedHashMap<>(byName);
        m.put(setting.name(), setting);
        return new SettingsDef(component, m);
    }

    /** Which component these settings configure, e.g. {@code trainer}. */
    public String component() {
        return component;
    }

    /** Every setting, in definition order. */
    public List<Setting<?>> settings() {
        return List.copyOf(byName.values());
    }

    /** Whether a setting of that name is defined here. */
    public boolean defines(Setting<?> setting) {
        return byName.get(setting.name()) != null;
    }

    /** The setting an option ({@code --name} or an alias) stands for. */
    public Optional<Setting<?>> find(String option) {
        for (Setting<?> s : byName.values()) {
            if (s.option().equals(option) || s.aliases().contains(option)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    /**
     * Checked values from raw ones: for each setting name, the text of each occurrence. Unknown names fail with
     * the nearest known option; missing required settings fail naming them; the rest take their defaults.
     */
    public SettingValues parse(Map<String, List<String>> raw) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> e : raw.entrySet()) {
            Setting<?> s = byName.get(e.getKey());
            if (s == null) {
                throw unknown("--" + e.getKey());
            }
            if (!e.getValue().isEmpty()) {
                values.put(s.name(), s.parse(e.getValue()));
            }
        }
        List<String> missing = new ArrayList<>();
        for (Setting<?> s : byName.values()) {
            if (s.required() && !values.containsKey(s.name())) {
                missing.add(s.option());
            }
        }
        if (!missing.isEmpty()) {
            throw new SettingException(component + ": missing required " + String.join(", ", missing));
        }
        return new SettingValues(this, values);
    }

    /**
     * Checked values from a command line of {@code --name value}, {@code --name=value}, flags ({@code --name},
     * {@code --name=false}) and aliases ({@code -X key=value}).
     */
    public SettingValues parseArgs(List<String> args) {
        Map<String, List<String>> raw = new LinkedHashMap<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (!arg.startsWith("-")) {
                throw new SettingException(component + ": unexpected argument '" + arg + "'; every setting is "
                        + "--name value");
            }
            int eq = arg.startsWith("--") ? arg.indexOf('=') : -1;
            String option = eq > 0 ? arg.substring(0, eq) : arg;
            Setting<?> s = find(option).orElseThrow(() -> unknown(option));
            String value;
            if (eq > 0) {
                value = arg.substring(eq + 1);
            } else if (s.type().flag()) {
                value = "true";
            } else if (i + 1 < args.size()) {
                value = args.get(++i);
            } else {
                throw new SettingException(component + ": " + option + " needs a value (" + s.label() + ")");
            }
            if (!s.type().repeatable() && raw.containsKey(s.name())) {
                throw new SettingException(component + ": " + s.option() + " is given twice");
            }
            raw.computeIfAbsent(s.name(), k -> new ArrayList<>()).add(value);
        }
        return parse(raw);
    }

    /** The exception for an option that is not defined here, naming the nearest one that is. */
    public SettingException unknown(String option) {
        String near = nearest(option);
        return new SettingException(component + ": unknown argument " + option
                + (near == null ? "" : "; did you mean " + near + "?"));
    }

    /** The defined option (or alias) closest to {@code option} by edit distance, or null when none is close. */
    public String nearest(String option) {
        List<String> names = new ArrayList<>();
        byName.values().forEach(s -> {
            names.add(s.option());
            names.addAll(s.aliases());
        });
        String best = names.stream().min(Comparator.comparingInt(n -> distance(n, option))).orElse(null);
        // Farther than half the word is a different word, not a typo.
        return best != null && distance(best, option) <= Math.max(2, option.length() / 2) ? best : null;
    }

    /** Levenshtein distance. */
    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    /** A Markdown table of the settings: option, default, meaning. */
    public String markdown() {
        StringBuilder out = new StringBuilder("| Option | Default | Meaning |\n|---|---|---|\n");
        for (Setting<?> s : byName.values()) {
            String label = s.label().isEmpty() ? "" : " " + s.label();
            String names = "`" + s.option() + label + "`"
                    + s.aliases().stream().map(a -> ", `" + a + label + "`").reduce("", String::concat);
            String def = s.required() ? "required" : s.defaultValue() == null ? "" : "`" + s.defaultText() + "`";
            // A '|' inside a cell, even in code, ends the cell in GitHub's tables.
            out.append("| ").append(names.replace("|", "\\|")).append(" | ").append(def).append(" | ")
                    .append(s.doc().replace("|", "\\|")).append(" |\n");
        }
        return out.toString();
    }

    @Override
    public String toString() {
        return component + byName.keySet();
    }
}
