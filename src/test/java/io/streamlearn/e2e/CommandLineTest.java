package io.streamlearn.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamlearn.app.Durations;
import io.streamlearn.app.StreamlearnCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

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
        for (String sub : new String[] {"demo", "broker", "ingest", "train", "serve", "models"}) {
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
}
