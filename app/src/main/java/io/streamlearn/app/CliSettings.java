package io.streamlearn.app;

import io.streamlearn.core.config.Setting;
import io.streamlearn.core.config.SettingValues;
import io.streamlearn.core.config.SettingsDef;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/**
 * The picocli side of the settings: a command's options are made from its {@link SettingsDef}, and what the user
 * typed goes back to the definition to be parsed and checked, so a command cannot declare an option of its own.
 */
public final class CliSettings {
    private CliSettings() {}

    /** A command whose options are exactly its settings. */
    public interface Configured {
        /** Every setting this command takes. */
        SettingsDef settings();
    }

    /** Adds the options of every {@link Configured} command in the tree under {@code cl}. */
    static void install(CommandLine cl) {
        if (cl.getCommand() instanceof Configured c) {
            addOptions(cl.getCommandSpec(), c.settings());
        }
        cl.getSubcommands().values().forEach(CliSettings::install);
    }

    /** One option per setting, showing its default in help; the value is left as text for the definition. */
    static void addOptions(CommandSpec spec, SettingsDef def) {
        for (Setting<?> s : def.settings()) {
            List<String> names = new ArrayList<>(s.aliases());
            names.add(s.option());
            OptionSpec.Builder o = OptionSpec.builder(names.toArray(String[]::new)).description(s.doc())
                    .required(s.required());
            if (s.type().flag()) {
                o.type(boolean.class).arity("0");
            } else if (s.type().repeatable()) {
                o.type(List.class).auxiliaryTypes(String.class).paramLabel(s.label());
            } else {
                o.type(String.class).paramLabel(s.label());
            }
            if (s.defaultValue() != null && !s.type().flag()) {
                o.defaultValue(s.defaultText());
            }
            spec.addOption(o.build());
        }
    }

    /** The values the user gave {@code spec}'s command, checked by its definition; defaults fill the rest. */
    public static SettingValues read(CommandSpec spec) {
        SettingsDef def = ((Configured) spec.userObject()).settings();
        ParseResult parsed = spec.commandLine().getParseResult();
        Map<String, List<String>> raw = new LinkedHashMap<>();
        for (Setting<?> s : def.settings()) {
            OptionSpec matched = parsed == null ? null : parsed.matchedOption(s.option());
            if (matched != null) {
                List<String> texts = matched.originalStringValues();
                raw.put(s.name(), texts.isEmpty() ? List.of("true") : texts);
            }
        }
        return def.parse(raw);
    }
}
