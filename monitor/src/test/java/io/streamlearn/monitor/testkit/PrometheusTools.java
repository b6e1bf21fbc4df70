package io.streamlearn.monitor.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Finds Debian's Prometheus binaries ({@code apt-get install prometheus}) and the monitor's files. On CI
 * ({@code CI=true}) a missing binary fails the test; elsewhere the test is skipped with the install hint.
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

    /** The path of {@code name} (promtool, prometheus): /usr/bin or the PATH; absent fails on CI, else skips. */
    public static Path require(String name) {
        List<Path> candidates = new ArrayList<>();
        candidates.add(Path.of("/usr/bin", name));
        String path = System.getenv("PATH");
        if (path != null) {
            for (String d : path.split(java.io.File.pathSeparator)) {
                if (!d.isEmpty()) {
                    candidates.add(Path.of(d, name));
                }
            }
        }
        for (Path p : candidates) {
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        String message = name + " not found in /usr/bin or on the PATH: install Debian's prometheus package "
                + "(apt-get install prometheus), as .ci/run does";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            Assertions.fail(message + " (CI=true: the alert rules must be tested on CI)");
        }
        Assumptions.abort(message + "; skipped locally (set CI=true to fail instead)");
        return null;
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
