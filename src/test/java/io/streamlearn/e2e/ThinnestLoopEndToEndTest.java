package io.streamlearn.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamlearn.app.StreamlearnCommand;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code streamlearn demo --duration} on the synthetic stream: the whole loop on a real embedded
 * KRaft broker, a Flink MiniCluster, DJL training and DJL serving. The stream is learned, snapshots
 * are published, and every request is answered by a published version (the command exits 0 only then).
 */
class ThinnestLoopEndToEndTest {
    private static final Pattern SUMMARY = Pattern.compile("demo: trained (\\d+) examples, serving model (\\S+) v(\\d+), "
            + "served accuracy ([0-9.]+) over (\\d+) predictions \\((\\d+) requests\\), best holdout accuracy ([0-9.]+)");

    @Test
    void demoLearnsTheSyntheticStreamAndAnswersEveryRequestWithAPublishedVersion(@TempDir Path store,
            @TempDir Path report) {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.out;
        int exit;
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            exit = StreamlearnCommand.commandLine().execute("demo", "--synthetic", "--duration", "25s", "--rate",
                    "2000", "--request-rate", "200", "--drift-after", "never", "--device", "cpu",
                    "--checkpoint-interval-ms", "1000", "--seed", "7", "--store", store.toString(), "--report",
                    report.toString());
        } finally {
            System.setOut(original);
        }
        String output = captured.toString(StandardCharsets.UTF_8);
        original.println(output);
        assertThat(exit).as("exit code: every request answered by a published version").isZero();
        assertThat(output).contains("trained", "serving v", "p99");
        Matcher m = SUMMARY.matcher(output);
        assertThat(m.find()).as("summary line in:\n" + output).isTrue();
        // How many of the 50,000 sent get trained in 25 s is a matter of speed (bench/trainer.sh); on a loaded
        // machine the MiniCluster alone takes 20 s to start. The behaviour: it trained, and learned (below).
        assertThat(Long.parseLong(m.group(1))).as("examples trained").isGreaterThan(1_000);
        assertThat(m.group(2)).isEqualTo("synthetic");
        assertThat(Long.parseLong(m.group(3))).as("version served").isGreaterThanOrEqualTo(2);
        assertThat(Double.parseDouble(m.group(4))).as("served accuracy").isGreaterThanOrEqualTo(0.9);
        assertThat(Long.parseLong(m.group(5))).as("every request answered").isEqualTo(Long.parseLong(m.group(6)))
                .isGreaterThan(500);
        assertThat(Double.parseDouble(m.group(7))).as("holdout accuracy").isGreaterThanOrEqualTo(0.9);
        assertThat(report.resolve("synthetic-report.html")).isNotEmptyFile();
        assertThat(report.resolve("synthetic-learning-curves.png")).isNotEmptyFile();
        assertThat(output).contains("/metrics");
        Matcher exported = Pattern.compile("the trainer exported (\\d+) streamlearn metric samples").matcher(output);
        assertThat(exported.find()).as("trainer metrics scraped").isTrue();
        assertThat(Integer.parseInt(exported.group(1))).isGreaterThan(5);
        assertThat(output).contains("flink_taskmanager_job_task_operator_streamlearn_examples_trained{");
        Matcher join = Pattern.compile("demo: label join: (\\d+) labels = (\\d+) joined \\+ (\\d+) late").matcher(output);
        assertThat(join.find()).as("the label join's tally").isTrue();
        assertThat(Long.parseLong(join.group(2))).as("labels of served requests joined into examples").isPositive();
    }
}
