package io.streamlearn.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamlearn.app.DemoRun;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole loop on a real embedded KRaft broker, a Flink MiniCluster, DJL training and DJL
 * serving: a synthetic separable stream is learned, snapshots are published, and every request is
 * answered by a published version.
 */
class ThinnestLoopEndToEndTest {

    @Test
    void everyRequestIsAnsweredByAPublishedVersionThatLearnedTheStream(@TempDir Path store) throws Exception {
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        DemoRun.Settings settings = DemoRun.Settings.synthetic(Duration.ofSeconds(25), store);
        DemoRun.Summary summary = new DemoRun(settings, new PrintStream(progress, true, StandardCharsets.UTF_8)).run();

        assertThat(summary.requests()).isGreaterThan(500);
        assertThat(summary.predictions()).as("every request answered").isEqualTo(summary.requests());
        assertThat(summary.unpublished()).as("answers naming an unpublished version").isZero();
        assertThat(summary.version()).isGreaterThanOrEqualTo(2);
        assertThat(summary.trained()).isGreaterThan(10_000);
        assertThat(summary.accuracy()).isGreaterThanOrEqualTo(0.9);
        assertThat(summary.ok()).isTrue();
        assertThat(progress.toString(StandardCharsets.UTF_8)).contains("trained", "serving v");
    }
}
