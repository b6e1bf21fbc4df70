package io.streamlearn.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamlearn.app.CliSettings;
import io.streamlearn.app.Durations;
import io.streamlearn.app.StreamlearnCommand;
import io.streamlearn.core.config.KafkaSettings;
import io.streamlearn.core.config.Setting;
import io.streamlearn.core.config.SettingValues;
import io.streamlearn.core.config.SettingsDef;
import io.streamlearn.monitor.quality.MonitorSettings;
import io.streamlearn.monitor.quality.PromotionRules;
import io.streamlearn.monitor.quality.QualityConfig;
import io.streamlearn.serving.ServingSettings;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

class CommandLineTest {

    private static String run(int expectedExit, String... args) {
        CommandLine cl = StreamlearnCommand.commandLine();
        StringWriter out = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(out));
        assertThat(cl.execute(args)).as(String.join(" ", args)).isEqualTo(expectedExit);
        return out.toString();
    }

    @Test
    void everySubcommandHasHelp() {
        for (String sub : new String[] {"demo", "broker", "ingest", "train", "serve", "monitor", "models"}) {
            assertThat(run(0, sub, "--help")).contains("Usage: streamlearn " + sub);
        }
        assertThat(run(0, "--help")).contains("demo", "broker", "ingest", "train", "serve");
    }

    @Test
    void refusesUnknownOptionsAndSourcesWithTheReason() {
        assertThat(run(2, "demo", "--no-such-flag")).contains("Unknown option: '--no-such-flag'");
        assertThat(run(1, "ingest", "--source", "nope:x", "-b", "127.0.0.1:1"))
                .contains("unknown --source 'nope:x'");
        assertThat(run(1, "train", "--spec", "nope", "-b", "127.0.0.1:1")).contains("ready specs: logreg, mlp, lenet5");
    }

    @Test
    void parsesDurationsInTheFormsTheHelpNames() {
        assertThat(Durations.parse("90")).isEqualTo(Duration.ofSeconds(90));
        assertThat(Durations.parse("90s")).isEqualTo(Duration.ofSeconds(90));
        assertThat(Durations.parse("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(Durations.parse("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(Durations.parse("PT1M30S")).isEqualTo(Duration.ofSeconds(90));
    }

    @Test
    void noCommandDeclaresAnOptionOutsideItsSettings() {
        List<String> problems = new ArrayList<>();
        check("streamlearn", StreamlearnCommand.commandLine(), problems);
        assertThat(problems).as("options not made from the commands' SettingsDef").isEmpty();
    }

    private static void check(String path, CommandLine cl, List<String> problems) {
        SettingsDef def = cl.getCommand() instanceof CliSettings.Configured c ? c.settings() : null;
        Set<String> seen = new HashSet<>();
        for (OptionSpec o : cl.getCommandSpec().options()) {
            if (o.usageHelp() || o.versionHelp()) {
                continue;
            }
            Setting<?> s = def == null ? null : def.find(o.longestName()).orElse(null);
            if (s == null) {
                problems.add(path + " " + o.longestName() + " (declared outside the settings)");
                continue;
            }
            seen.add(s.name());
            Set<String> names = new HashSet<>(s.aliases());
            names.add(s.option());
            if (!names.equals(Set.of(o.names()))) {
                problems.add(path + " " + o.longestName() + ": names " + List.of(o.names()) + ", defined " + names);
            }
            String defined = s.type().flag() ? null : s.defaultText();
            if (!Objects.equals(defined, o.defaultValue()) || !s.doc().equals(String.join(" ", o.description()))) {
                problems.add(path + " " + o.longestName() + ": default or description differ from the definition");
            }
        }
        if (def != null) {
            def.settings().stream().filter(s -> !seen.contains(s.name()))
                    .forEach(s -> problems.add(path + " " + s.option() + " (defined but not an option)"));
        }
        cl.getSubcommands().forEach((name, sub) -> {
            if (!name.equals("help")) {
                check(path + " " + name, sub, problems);
            }
        });
    }

    @Test
    void readsFlagsRepeatedPropertiesAndAliasesBackThroughTheDefinition() {
        CommandLine root = StreamlearnCommand.commandLine();
        root.parseArgs("serve", "--model", "m", "--exactly-once", "-X", "a=1", "--kafka-property", "b=2", "-b", "k:1",
                "--max-batch", "64");
        SettingValues v = CliSettings.read(root.getSubcommands().get("serve").getCommandSpec());
        assertThat(v.get(ServingSettings.EXACTLY_ONCE)).isTrue();
        assertThat(KafkaSettings.overrides(v)).containsExactly(Map.entry("a", "1"), Map.entry("b", "2"));
        assertThat(v.get(KafkaSettings.BOOTSTRAP_SERVER)).isEqualTo("k:1");
        assertThat(v.get(ServingSettings.MAX_BATCH)).isEqualTo(64);
        assertThat(v.get(ServingSettings.TOP_K)).isEqualTo(ServingSettings.TOP_K.defaultValue());
        assertThat(v.isSet(ServingSettings.TOP_K)).isFalse();
    }

    @Test
    void refusesAValueItsDefinitionRefusesAndOptionsACommandDoesNotTake() {
        assertThat(run(1, "serve", "--model", "m", "--max-batch", "0"))
                .contains("--max-batch is 0, which must be 1..65536");
        assertThat(run(2, "broker", "-b", "127.0.0.1:1")).contains("Unknown options: '-b'");
        assertThat(run(0, "train", "--help")).contains("--group-id", "--decode-parallelism", "-X, --kafka-property");
    }

    @Test
    void readsTheMonitorsDecisionRulesAndRefusesAMarginOutsideZeroToOne() {
        CommandLine root = StreamlearnCommand.commandLine();
        root.parseArgs("monitor", "--rollback", "--rollback-after", "200", "--promote-margin", "0.03", "--store", "s",
                "--drift-detector", "none");
        QualityConfig config = MonitorSettings.config(
                CliSettings.read(root.getSubcommands().get("monitor").getCommandSpec()));
        assertThat(config.rules()).isEqualTo(new PromotionRules(false, 1000, 0.03, true, 200, 0.05));
        assertThat(config.store()).isEqualTo(Path.of("s").toAbsolutePath());
        assertThat(config.driftDetector()).isNull();
        assertThat(run(1, "monitor", "--rollback-margin", "1.5")).contains("--rollback-margin is 1.5");
    }
}
