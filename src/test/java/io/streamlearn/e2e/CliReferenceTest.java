package io.streamlearn.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamlearn.app.StreamlearnCommand;
import io.streamlearn.trainer.job.TrainerJob;
import io.streamlearn.trainer.job.TrainerSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * docs/cli.md is the configuration reference: every command's flags as the CLI itself prints them (the CLI makes
 * them from the settings definitions), and the trainer job's {@code flink run} arguments from the same definitions.
 * This test fails when the file and the CLI disagree; {@code -Dstreamlearn.update.docs=true} rewrites it.
 */
class CliReferenceTest {
    private static final Path DOC = Path.of(System.getProperty("user.dir")).getParent().resolve("docs/cli.md");

    static String reference() {
        StringBuilder out = new StringBuilder();
        out.append("# streamlearn command reference\n\n")
                .append("Generated from the CLI itself (`CliReferenceTest` fails when this file and the CLI disagree;\n")
                .append("`./mvnw -q -pl app -am test -Dtest=CliReferenceTest -Dsurefire.failIfNoSpecifiedTests=false ")
                .append("-Dstreamlearn.update.docs=true` rewrites it). Every command also takes `--help`.\n");
        CommandLine root = StreamlearnCommand.commandLine();
        root.setUsageHelpWidth(110);
        append(out, "streamlearn", root);
        for (var e : root.getSubcommands().entrySet()) {
            if (e.getKey().equals("help")) {
                continue;
            }
            CommandLine sub = e.getValue();
            sub.setUsageHelpWidth(110);
            append(out, "streamlearn " + e.getKey(), sub);
            for (var nested : sub.getSubcommands().entrySet()) {
                nested.getValue().setUsageHelpWidth(110);
                append(out, "streamlearn " + e.getKey() + " " + nested.getKey(), nested.getValue());
            }
        }
        out.append("\n## `flink run -c ").append(TrainerJob.class.getName()).append(" streamlearn-trainer-job.jar`\n\n")
                .append("The trainer job on a Flink cluster takes the same settings as `streamlearn train`, as\n")
                .append("`--name value` (or `--name=value`); an unknown argument fails naming the nearest known one.\n")
                .append("Kafka client properties are `-X KEY=VALUE`; the older `--kafka.KEY VALUE` is still read, ")
                .append("deprecated.\n\n")
                .append(TrainerSettings.JOB_DEF.markdown());
        return out.toString();
    }

    private static void append(StringBuilder out, String title, CommandLine cl) {
        out.append("\n## `").append(title).append("`\n\n```\n")
                .append(cl.getUsageMessage(CommandLine.Help.Ansi.OFF).stripTrailing()).append("\n```\n");
    }

    @Test
    void docsCliMdIsWhatTheCliPrints() throws IOException {
        String expected = reference();
        if (Boolean.getBoolean("streamlearn.update.docs")) {
            Files.writeString(DOC, expected, StandardCharsets.UTF_8);
        }
        assertThat(Files.exists(DOC)).as(DOC + " exists (run with -Dstreamlearn.update.docs=true)").isTrue();
        assertThat(Files.readString(DOC, StandardCharsets.UTF_8)).isEqualTo(expected);
    }
}
