package io.streamlearn.core.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A Java main class run as a child process on this JVM's class path, so a test can SIGTERM or SIGKILL it the way
 * an orchestrator does (a broker, a serving instance) and start it again.
 *
 * <pre>{@code
 * try (ChildJvm serve = ChildJvm.start("serve-1", "io.streamlearn.app.StreamlearnCommand", List.of("serve", ...),
 *         List.of("-Xmx768m"), logDir)) {
 *     serve.kill();             // SIGKILL: no shutdown hook runs
 * }
 * }</pre>
 *
 * <p>The child's output goes to {@code <logDir>/<name>.log} (appended, so a restart keeps the story). A child never
 * outlives its test: {@link #close()} kills it, a JVM shutdown hook kills what a test forgot, and the child itself
 * halts when its parent is gone ({@link #main}, a watchdog in front of the real main class), so even a SIGKILLed test
 * JVM leaves no broker holding ports.
 *
 * @param name the child's name, as given to {@link #start}; its log is {@code <name>.log}
 * @param process the child's process, registered for the shutdown hook on construction
 * @param log the file the child's stdout and stderr go to
 */
public record ChildJvm(String name, Process process, Path log) implements AutoCloseable {
    /** How long {@link #stop()} waits for a SIGTERMed child before it kills it. */
    public static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly),
                "child-jvm-reaper"));
    }

    public ChildJvm {
        LIVE.add(process);
    }

    /**
     * Starts {@code mainClass} with {@code args} in a new JVM on this JVM's class path, with {@code jvmOptions} and
     * the {@code ai.djl.*} and {@code log4j2.*} system properties of this JVM.
     */
    public static ChildJvm start(String name, String mainClass, List<String> args, List<String> jvmOptions,
            Path logDir) {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> cmd = new ArrayList<>();
        cmd.add(java.toString());
        cmd.addAll(jvmOptions);
        for (Map.Entry<Object, Object> e : System.getProperties().entrySet()) {
            String k = e.getKey().toString();
            if (k.startsWith("ai.djl.") || k.startsWith("log4j2.")) {
                cmd.add("-D" + k + "=" + e.getValue());
            }
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(ChildJvm.class.getName());
        cmd.add(Long.toString(ProcessHandle.current().pid()));
        cmd.add(mainClass);
        cmd.addAll(args);
        try {
            Files.createDirectories(logDir);
            Path log = logDir.resolve(name + ".log");
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            return new ChildJvm(name, p, log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start child JVM " + name + " (" + mainClass + ")", e);
        }
    }

    /** The operating system's process id. */
    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The last {@code lines} lines of the child's output, for a failure message. */
    public String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(log);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** The exit code once the child has ended, else empty. */
    public Optional<Integer> exitCode() {
        return process.isAlive() ? Optional.empty() : Optional.of(process.exitValue());
    }

    /** SIGTERM (shutdown hooks run: a broker's controlled shutdown), then waits for the exit; kills after the timeout. */
    public void stop() {
        process.destroy();
        try {
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                kill();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kill();
        }
        LIVE.remove(process);
    }

    /** SIGKILL, as a crash or an OOM killer ends a process: nothing of the child runs after it. Waits for the exit. */
    public void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LIVE.remove(process);
    }

    /** Kills the child if it still runs. */
    @Override
    public void close() {
        if (process.isAlive()) {
            kill();
        }
        LIVE.remove(process);
    }

    /**
     * The child's entry point: {@code <parent pid> <main class> <args...>}. A daemon thread halts the child when its
     * parent has gone (a test JVM that was killed runs no cleanup), then the real main class runs.
     */
    public static void main(String[] args) throws Exception {
        long parent = Long.parseLong(args[0]);
        Thread watchdog = new Thread(() -> {
            // A parent already gone has no handle; otherwise onExit completes when it exits.
            ProcessHandle.of(parent).ifPresent(p -> p.onExit().join());
            Runtime.getRuntime().halt(137);
        }, "parent-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        Method main = Class.forName(args[1]).getMethod("main", String[].class);
        main.invoke(null, (Object) Arrays.copyOfRange(args, 2, args.length));
    }
}
