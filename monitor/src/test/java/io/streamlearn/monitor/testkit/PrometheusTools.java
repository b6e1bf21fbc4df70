package io.streamlearn.monitor.testkit;

import io.streamlearn.core.testkit.Prerequisites;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assertions;

/**
 * Finds Debian's Prometheus binaries ({@code apt-get install prometheus}) and the monitor's files. A missing
 * binary follows the kit's one policy ({@link Prerequisites}): fails on CI, skips elsewhere with the hint.
 */
public final class PrometheusTools {
    private PrometheusTools() {}

    /** The monitor module's directory (the surefire property, or the working directory Maven gives). */
    public static Path monitorDir() {
        String dir = System.getProperty("streamlearn.monitor.dir");
        return dir != null ? Path.of(dir) : Path.of("").toAbsolutePath();
    }

    /** The repository's docs directory. */
    public static Path docsDir() {
        String dir = System.getProperty("streamlearn.docs.dir");
        return dir != null ? Path.of(dir) : monitorDir().resolveSibling("docs");
    }

    /** The path of {@code name} (promtool, prometheus), Debian's prometheus package; absent fails on CI, else skips. */
    public static Path require(String name) {
        return Prerequisites.tool(name, "prometheus");
    }

    /** The exit code and output of a finished process. */
    public record Result(int exitCode, String output) {}

    /** Runs {@code command} in {@code dir}, waits at most a minute, returns its exit code and output. */
    public static Result run(List<String> command, Path dir) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        try {
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                Assertions.fail(String.join(" ", command) + " did not finish within 60 s");
            }
            return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
        } finally {
            p.destroyForcibly();
        }
    }
}
