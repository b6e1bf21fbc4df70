package io.streamlearn.app;

import io.streamlearn.core.config.SettingValues;
import io.streamlearn.core.config.SettingsDef;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * A command whose options are exactly one {@link SettingsDef}: picocli injects the spec, {@link #call()} reads
 * the values the user gave through the definition, and the command only says what it does with them.
 */
abstract class SettingsCommand implements Callable<Integer>, CliSettings.Configured {
    private final SettingsDef settings;

    @Spec
    CommandSpec spec;

    SettingsCommand(SettingsDef settings) {
        this.settings = settings;
    }

    @Override
    public final SettingsDef settings() {
        return settings;
    }

    @Override
    public final Integer call() throws Exception {
        return run(CliSettings.read(spec));
    }

    /** Runs the command with its checked settings; returns the exit status. */
    abstract int run(SettingValues v) throws Exception;
}
