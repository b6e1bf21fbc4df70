package io.streamlearn.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamlearn.core.broker.KraftNode;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessSpec;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessUtils;
import org.apache.flink.runtime.jobmanager.JobManagerProcessSpec;
import org.apache.flink.runtime.jobmanager.JobManagerProcessUtils;
import org.apache.flink.runtime.util.config.memory.ProcessMemoryUtils;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * A Flink standalone session cluster whose JobManager and TaskManagers are child JVMs, laid out the way the
 * README's "Flink cluster" section tells users to run the trainer: Flink and DJL in {@code lib/}, a
 * {@code conf/config.yaml} with the settings of docs/deploy.md, and the job jar submitted with {@code flink run}.
 *
 * <pre>{@code
 * try (FlinkStandaloneCluster flink = FlinkStandaloneCluster.inHome(tempDir).start()) {
 *     String job = flink.submit(jobJar, "io.streamlearn.trainer.job.TrainerJob", List.of("--spec", ...));
 *     flink.explainingFailures(() -> {
 *         flink.await("a checkpoint", Duration.ofSeconds(60), () -> flink.completedCheckpoints(job) >= 1);
 *         flink.killTaskManager("tm-1");          // SIGKILL, as a crashed machine
 *         flink.awaitRegistered(flink.startTaskManager());
 *     });
 * }
 * }</pre>
 *
 * <p>flink-dist is not served by the registry here (DESIGN.md), so the processes run Flink's entry points from
 * the test's class path: {@code StandaloneSessionClusterEntrypoint}, {@code TaskManagerRunner} and
 * {@code CliFrontend}, with the JVM options and {@code -D} memory settings that Flink's {@code bin/} scripts
 * compute (the same {@code BashJavaUtils} code). Our own modules, Kafka and the test libraries are left out of
 * {@code lib/}: the job jar must bring them, as on a real cluster. Everything binds 127.0.0.1; logs go to
 * {@code <home>/log}. {@link #close()} kills every process; the caller owns {@code home} (a {@code @TempDir}).
 */
public final class FlinkStandaloneCluster implements AutoCloseable {
    /** The Java 17 flags of {@code env.java.opts.all} in flink-dist's own {@code conf/config.yaml} (2.2). */
    public static final String FLINK_JAVA17_OPTS = String.join(" ",
            "--add-exports=java.base/sun.net.util=ALL-UNNAMED", "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.api=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.parser=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.tree=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.util=ALL-UNNAMED",
            "--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
            "--add-opens=java.base/java.lang=ALL-UNNAMED", "--add-opens=java.base/java.net=ALL-UNNAMED",
            "--add-opens=java.base/java.io=ALL-UNNAMED", "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED", "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
            "--add-opens=java.base/java.text=ALL-UNNAMED", "--add-opens=java.base/java.time=ALL-UNNAMED",
            "--add-opens=java.base/java.util=ALL-UNNAMED", "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED");

    private static final String JOB_MANAGER_MAIN = "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint";
    private static final String TASK_MANAGER_MAIN = "org.apache.flink.runtime.taskexecutor.TaskManagerRunner";
    private static final String CLIENT_MAIN = "org.apache.flink.client.cli.CliFrontend";
    private static final Pattern SUBMITTED = Pattern.compile("Job has been submitted with JobID ([0-9a-f]{32})");
    private static final int LOG_TAIL_LINES = 60;
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Repository paths (group ids) of the jars besides Flink's own that {@link #libFromTestClassPath} keeps. */
    private static final List<String> LIB_GROUPS = List.of(
            // What flink-dist bundles: Kryo, Apache Commons, compression codecs, RocksDB, YAML, profiler.
            "/com/esotericsoftware/", "/org/objenesis/", "/org/apache/commons/", "/commons-io/", "/commons-cli/",
            "/commons-collections/", "/org/xerial/snappy/", "/org/lz4/", "/at/yawk/lz4/", "/org/javassist/",
            "/tools/profiler/", "/org/snakeyaml/", "/com/google/code/findbugs/", "/com/ververica/", "/com/ibm/icu/",
            // Flink's lib/ logging.
            "/org/slf4j/", "/org/apache/logging/log4j/",
            // DJL and libtorch with their dependencies (docker/Dockerfile's flink target copies the same into lib/).
            "/ai/djl/", "/com/google/code/gson/", "/net/java/dev/jna/", "/com/google/errorprone/");

    private final Path home;
    private final Options options;
    private final Duration startTimeout;
    private final List<Path> lib;
    private final Path conf;
    private final Path logs;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Map<String, String> written = new LinkedHashMap<>();

    private Process jobManager;
    private final Map<String, Process> taskManagerProcesses = new LinkedHashMap<>();
    private int taskManagersStarted;
    private int submissions;
    private int restPort;

    /**
     * A cluster in {@code home} ({@code lib/}, {@code conf/}, {@code log/}, {@code checkpoints/}, {@code tmp/}) as
     * {@code options} say, not yet started.
     */
    public FlinkStandaloneCluster(Path home, Options options) {
        this.home = Objects.requireNonNull(home, "home: the directory for lib/, conf/ and log/");
        this.options = options;
        this.startTimeout = options.startTimeout();
        this.lib = options.lib().isEmpty() ? libFromTestClassPath() : options.lib();
        this.conf = home.resolve("conf");
        this.logs = home.resolve("log");
    }

    /** A cluster in {@code home} with {@link Options#DEFAULTS}, not yet started. */
    public static FlinkStandaloneCluster inHome(Path home) {
        return new FlinkStandaloneCluster(home, Options.DEFAULTS);
    }

    /**
     * The jars of this JVM's class path that belong in Flink's {@code lib/}: Flink and what flink-dist bundles of
     * its dependencies, log4j, and DJL with libtorch (README: "Put DJL's jars in Flink's lib/"). Everything else
     * stays out, above all our modules, Kafka and the Kafka connector: the job jar must bring them, as on a real
     * cluster.
     */
    public static List<Path> libFromTestClassPath() {
        // Surefire starts tests from a manifest-only jar; it publishes the real class path in this property.
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Set<Path> out = new LinkedHashSet<>();
        for (String entry : cp.split(File.pathSeparator)) {
            String p = entry.replace('\\', '/');
            if (!p.endsWith(".jar")) {
                continue;
            }
            boolean flink = p.contains("/org/apache/flink/") && !p.contains("/flink-connector-kafka")
                    && !p.contains("/flink-test-utils") && !p.endsWith("-tests.jar");
            boolean flinkDependency = LIB_GROUPS.stream().anyMatch(p::contains);
            if (flink || flinkDependency) {
                out.add(Path.of(entry));
            }
        }
        return List.copyOf(out);
    }

    /**
     * Writes {@code lib/}, {@code conf/} and {@code log/} under home, starts the JobManager and the TaskManagers,
     * and waits until the REST API reports every TaskManager and slot.
     *
     * @throws IllegalStateException naming the process and showing its log when one exits or the wait times out
     */
    public FlinkStandaloneCluster start() {
        // A benchmark or test stopped by a signal never reaches close(): without this its JobManager and
        // TaskManagers lived on as orphans, holding ports and cores.
        Runtime.getRuntime().addShutdownHook(new Thread(this::close, "flink-standalone-cluster-stop"));
        try {
            layOut();
            jobManager = launch("jobmanager", "jobmanager", JOB_MANAGER_MAIN, jobManagerMemory(),
                    List.of("--configDir", conf.toString()));
            await("the JobManager's REST API on port " + restPort, startTimeout, () -> overview().isPresent());
            int taskManagers = options.taskManagers();
            int slots = taskManagers * options.slotsPerTaskManager();
            for (int i = 0; i < taskManagers; i++) {
                startTaskManager();
            }
            await(taskManagers + " TaskManagers with " + slots + " slots", startTimeout,
                    () -> overview().map(o -> o.path("taskmanagers").asInt() == taskManagers
                            && o.path("slots-total").asInt() == slots).orElse(false));
            return this;
        } catch (RuntimeException | Error e) {
            close();
            throw e;
        } catch (IOException e) {
            close();
            throw new UncheckedIOException(e);
        }
    }

    private void layOut() throws IOException {
        Path libDir = Files.createDirectories(home.resolve("lib"));
        for (Path jar : lib) {
            Path link = libDir.resolve(jar.getFileName());
            if (!Files.exists(link, LinkOption.NOFOLLOW_LINKS)) {
                Files.createSymbolicLink(link, jar);
            }
        }
        Files.createDirectories(conf);
        Files.createDirectories(logs);
        Files.createDirectories(home.resolve("tmp"));
        int rpcPort = KraftNode.freePort();
        restPort = KraftNode.freePort();
        Map<String, String> c = new LinkedHashMap<>();
        // flink-dist's own config.yaml starts with these; a config that replaces them loses Java 17 support.
        c.put("env.java.opts.all", FLINK_JAVA17_OPTS);
        // docs/deploy.md "Flink settings": the keys users set for streamlearn.
        c.put("env.java.opts.taskmanager", "-Dai.djl.offline=true");
        c.put("classloader.parent-first-patterns.additional", "ai.djl.");
        c.put("execution.checkpointing.dir", home.resolve("checkpoints").toUri().toString());
        c.put("execution.checkpointing.savepoint-dir", home.resolve("checkpoints/savepoints").toUri().toString());
        c.put("execution.checkpointing.externalized-checkpoint-retention", "RETAIN_ON_CANCELLATION");
        c.put("taskmanager.numberOfTaskSlots", Integer.toString(options.slotsPerTaskManager()));
        // Where the processes are: one machine, nothing reachable from outside it.
        c.put("jobmanager.rpc.address", "127.0.0.1");
        c.put("jobmanager.rpc.port", Integer.toString(rpcPort));
        c.put("jobmanager.bind-host", "127.0.0.1");
        c.put("taskmanager.bind-host", "127.0.0.1");
        c.put("taskmanager.host", "127.0.0.1");
        c.put("rest.address", "127.0.0.1");
        c.put("rest.bind-address", "127.0.0.1");
        c.put("rest.port", Integer.toString(restPort));
        c.put("high-availability.type", "NONE");
        c.put("io.tmp.dirs", home.resolve("tmp").toString());
        // Sized for a small test machine; the trainer's state is on the heap (hashmap backend), not in managed memory.
        c.put("jobmanager.memory.process.size", "1024m");
        c.put("taskmanager.memory.process.size", "1536m");
        c.put("taskmanager.memory.managed.size", "0m");
        // A killed TaskManager is noticed within seconds (two failed heartbeat RPCs), not after the 50 s default.
        c.put("heartbeat.interval", "1000");
        c.put("heartbeat.timeout", "15000");
        c.put("restart-strategy.type", "fixed-delay");
        c.put("restart-strategy.fixed-delay.attempts", "100");
        c.put("restart-strategy.fixed-delay.delay", "1 s");
        c.putAll(options.settings());
        written.putAll(c);
        StringBuilder yaml = new StringBuilder("# Generated by FlinkStandaloneCluster: Flink 2.x config.yaml, flat keys.\n");
        c.forEach((k, v) -> yaml.append(k).append(": '").append(v.replace("'", "''")).append("'\n"));
        Files.writeString(conf.resolve("config.yaml"), yaml.toString());
        String log4j = String.join("\n",
                "rootLogger.level = INFO",
                "rootLogger.appenderRef.file.ref = MainAppender",
                "appender.main.name = MainAppender",
                "appender.main.type = File",
                "appender.main.append = true",
                "appender.main.fileName = ${sys:log.file}",
                "appender.main.layout.type = PatternLayout",
                "appender.main.layout.pattern = %d{HH:mm:ss,SSS} %-5p %c{1} [%t] - %m%n",
                "logger.kafka.name = org.apache.kafka",
                "logger.kafka.level = WARN",
                "");
        Files.writeString(conf.resolve("log4j.properties"), log4j);
        Files.writeString(conf.resolve("log4j-cli.properties"), log4j);
    }

    /** JVM flags and the {@code -D} program settings that Flink's {@code bin/} scripts compute for a process. */
    private record Memory(List<String> jvmFlags, List<String> dynamicSettings) {}

    /** What {@code bin/jobmanager.sh} computes with BashJavaUtils from {@code jobmanager.memory.*}. */
    private Memory jobManagerMemory() {
        Configuration config = GlobalConfiguration.loadConfiguration(conf.toString());
        JobManagerProcessSpec spec = JobManagerProcessUtils.processSpecFromConfig(config);
        return new Memory(split(JobManagerProcessUtils.generateJvmParametersStr(spec, config)),
                split(JobManagerProcessUtils.generateDynamicConfigsStr(spec)));
    }

    /** What {@code bin/taskmanager.sh} computes with BashJavaUtils from {@code taskmanager.memory.*}. */
    private Memory taskManagerMemory() {
        Configuration config = GlobalConfiguration.loadConfiguration(conf.toString());
        TaskExecutorProcessSpec spec = TaskExecutorProcessUtils.processSpecFromConfig(config);
        return new Memory(split(ProcessMemoryUtils.generateJvmParametersStr(spec)),
                split(TaskExecutorProcessUtils.generateDynamicConfigsStr(spec)));
    }

    private static List<String> split(String s) {
        return Arrays.stream(s.trim().split("\\s+")).filter(t -> !t.isEmpty()).toList();
    }

    /**
     * Starts {@code java <env.java.opts.all> <env.java.opts.ROLE> <memory flags> -cp lib/... MAIN args <-D memory
     * settings>} with its output in {@code log/NAME.out} and its log in {@code log/NAME.log}, as Flink's scripts do.
     */
    private Process launch(String name, String role, String mainClass, Memory memory, List<String> args)
            throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(split(written.getOrDefault("env.java.opts.all", "")));
        cmd.addAll(split(written.getOrDefault("env.java.opts." + role, "")));
        cmd.addAll(memory.jvmFlags());
        cmd.add("-Dlog.file=" + logs.resolve(name + ".log"));
        cmd.add("-Dlog4j.configurationFile=" + conf.resolve(role.equals("client") ? "log4j-cli.properties"
                : "log4j.properties").toUri());
        cmd.add("-cp");
        cmd.add(String.join(File.pathSeparator, lib.stream()
                .map(j -> home.resolve("lib").resolve(j.getFileName()).toString()).toList()));
        cmd.add(mainClass);
        cmd.addAll(args);
        cmd.addAll(memory.dynamicSettings());
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(home.toFile())
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logs.resolve(name + ".out").toFile()))
                .redirectErrorStream(true);
        pb.environment().put("FLINK_CONF_DIR", conf.toString());
        return pb.start();
    }

    /**
     * Starts one more TaskManager (resource id {@code tm-1}, {@code tm-2}, ... in start order) and returns its
     * id without waiting for it to register (see {@link #awaitRegistered}).
     */
    public String startTaskManager() {
        String id = "tm-" + (++taskManagersStarted);
        List<String> args = new ArrayList<>(List.of("--configDir", conf.toString()));
        args.add("-D");
        args.add("taskmanager.resource-id=" + id);
        try {
            taskManagerProcesses.put(id, launch("taskmanager-" + id, "taskmanager", TASK_MANAGER_MAIN,
                    taskManagerMemory(), args));
        } catch (IOException e) {
            throw new UncheckedIOException("could not start TaskManager " + id, e);
        }
        return id;
    }

    /** Waits until the JobManager lists TaskManager {@code id} with its slots. */
    public void awaitRegistered(String id) {
        await("TaskManager " + id + " registered with the JobManager", startTimeout,
                () -> taskManagerIds().contains(id));
    }

    /** The resource ids of the TaskManagers the JobManager lists now (a killed one stays until it is noticed). */
    public List<String> taskManagerIds() {
        List<String> ids = new ArrayList<>();
        get("/taskmanagers").ifPresent(n -> n.path("taskmanagers").forEach(tm -> ids.add(tm.path("id").asText())));
        return ids;
    }

    /** SIGKILLs TaskManager {@code id} (no shutdown hook runs, as when its machine dies) and waits for it to exit. */
    public void killTaskManager(String id) {
        Process p = taskManagerProcesses.get(id);
        if (p == null || !p.isAlive()) {
            throw new IllegalStateException("TaskManager " + id + " is not running; started: "
                    + taskManagerProcesses.keySet());
        }
        // On Linux destroyForcibly sends SIGKILL.
        p.destroyForcibly();
        try {
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("TaskManager " + id + " (pid " + p.pid() + ") survived SIGKILL for 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while killing TaskManager " + id, e);
        }
    }

    /**
     * Submits {@code jobJar} as {@code flink run -d -m 127.0.0.1:PORT -c mainClass jobJar args} does, in a child
     * JVM on {@code lib/} (CliFrontend runs the job's {@code main} there, builds the job graph and sends it to the
     * REST API), and returns the job id.
     */
    public String submit(Path jobJar, String mainClass, List<String> programArgs) {
        if (!Files.isRegularFile(jobJar)) {
            throw new IllegalArgumentException("job jar " + jobJar + " does not exist: build it first");
        }
        List<String> args = new ArrayList<>(List.of("run", "-d", "-m", restAddress(), "-c", mainClass,
                jobJar.toString()));
        args.addAll(programArgs);
        String name = "client-" + (++submissions);
        try {
            Process p = launch(name, "client", CLIENT_MAIN, new Memory(List.of("-Xmx256m"), List.of()), args);
            if (!p.waitFor(startTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("flink run did not return within " + startTimeout + "\n" + diagnostics());
            }
            Matcher m = SUBMITTED.matcher(Files.readString(logs.resolve(name + ".out"), StandardCharsets.UTF_8));
            if (p.exitValue() != 0 || !m.find()) {
                throw new IllegalStateException("flink " + String.join(" ", args) + " exited with " + p.exitValue()
                        + " without a job id\n" + diagnostics());
            }
            return m.group(1);
        } catch (IOException e) {
            throw new UncheckedIOException("could not run flink run", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while submitting the job", e);
        }
    }

    /** {@code 127.0.0.1:<rest.port>}, the address {@code flink run -m} and the web UI take. */
    public String restAddress() {
        return "127.0.0.1:" + restPort;
    }

    /** The job's status from the REST API ({@code RUNNING}, {@code RESTARTING}, ...), or empty if unknown. */
    public String jobState(String jobId) {
        return get("/jobs/" + jobId).map(n -> n.path("state").asText("")).orElse("");
    }

    /** Checkpoints of {@code jobId} completed so far ({@code /jobs/:id/checkpoints} {@code counts.completed}). */
    public long completedCheckpoints(String jobId) {
        return get("/jobs/" + jobId + "/checkpoints").map(n -> n.path("counts").path("completed").asLong()).orElse(0L);
    }

    /** The id of the newest completed checkpoint of {@code jobId}, or empty before the first. */
    public OptionalLong latestCompletedCheckpoint(String jobId) {
        return get("/jobs/" + jobId + "/checkpoints").map(n -> n.path("latest").path("completed"))
                .filter(c -> c.has("id")).map(c -> OptionalLong.of(c.path("id").asLong())).orElse(OptionalLong.empty());
    }

    /**
     * The id of the checkpoint {@code jobId} last restored from ({@code latest.restored} of
     * {@code /jobs/:id/checkpoints}), or empty if it never restored.
     */
    public OptionalLong restoredCheckpoint(String jobId) {
        return get("/jobs/" + jobId + "/checkpoints").map(n -> n.path("latest").path("restored"))
                .filter(r -> r.has("id")).map(r -> OptionalLong.of(r.path("id").asLong())).orElse(OptionalLong.empty());
    }

    /** Cancels {@code jobId} ({@code PATCH /jobs/:id?mode=cancel}). */
    public void cancel(String jobId) {
        try {
            HttpRequest req = HttpRequest.newBuilder(URI.create("http://" + restAddress() + "/jobs/" + jobId
                    + "?mode=cancel")).method("PATCH", HttpRequest.BodyPublishers.noBody())
                    .timeout(Duration.ofSeconds(10)).build();
            http.send(req, HttpResponse.BodyHandlers.discarding());
        } catch (IOException e) {
            throw new UncheckedIOException("could not cancel job " + jobId, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** GETs {@code path} of the REST API as JSON; empty while the JobManager does not answer or answers an error. */
    public Optional<JsonNode> get(String path) {
        try {
            HttpRequest req = HttpRequest.newBuilder(URI.create("http://" + restAddress() + path))
                    .timeout(Duration.ofSeconds(10)).GET().build();
            HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                return Optional.empty();
            }
            return Optional.of(JSON.readTree(r.body()));
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    private Optional<JsonNode> overview() {
        return get("/overview");
    }

    /**
     * Waits until {@code condition} holds, polling every 200 ms; fails early when the JobManager exits, and on
     * timeout, with {@code what} and the tail of every log.
     */
    public void await(String what, Duration timeout, BooleanSupplier condition) {
        try {
            Awaitility.await(what).atMost(timeout).pollInterval(Duration.ofMillis(200)).until(() -> {
                if (jobManager != null && !jobManager.isAlive()) {
                    throw new IllegalStateException("the JobManager exited with " + jobManager.exitValue()
                            + " while waiting for " + what + "\n" + diagnostics());
                }
                return condition.getAsBoolean();
            });
        } catch (ConditionTimeoutException e) {
            throw new IllegalStateException("no " + what + " within " + timeout + "\n" + diagnostics(), e);
        }
    }

    /** Body of a test that runs on this cluster: any failure of it carries the tail of every process's log. */
    public void explainingFailures(ThrowingRunnable body) throws Exception {
        try {
            body.run();
        } catch (Exception | AssertionError e) {
            String logs = diagnostics();
            System.err.println(logs);
            e.addSuppressed(new AssertionError("Flink cluster logs:\n" + logs));
            throw e;
        }
    }

    /** A test body that may throw. */
    @FunctionalInterface
    public interface ThrowingRunnable {
        /** Runs the body. */
        void run() throws Exception;
    }

    /** The last lines of every log and output file under {@code <home>/log}, and which processes still run. */
    public String diagnostics() {
        StringBuilder sb = new StringBuilder("processes: jobmanager ")
                .append(jobManager == null ? "not started" : jobManager.isAlive() ? "alive" : "exited " + jobManager.exitValue());
        taskManagerProcesses.forEach((id, p) -> sb.append(", ").append(id).append(' ')
                .append(p.isAlive() ? "alive" : "exited " + p.exitValue()));
        sb.append('\n');
        if (!Files.isDirectory(logs)) {
            return sb.toString();
        }
        try (Stream<Path> files = Files.list(logs)) {
            for (Path f : files.sorted().toList()) {
                List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
                sb.append("==== ").append(f).append(" (last ").append(Math.min(LOG_TAIL_LINES, lines.size()))
                        .append(" of ").append(lines.size()).append(" lines)\n");
                lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size())
                        .forEach(l -> sb.append(l).append('\n'));
            }
        } catch (IOException | UncheckedIOException e) {
            sb.append("(could not read the logs: ").append(e).append(")\n");
        }
        return sb.toString();
    }

    /**
     * CPU time used so far by the cluster's live processes (JobManager and TaskManagers), in seconds: what a
     * benchmark divides work by to compare layouts on the same cores.
     */
    public double cpuSeconds() {
        List<Process> all = new ArrayList<>(taskManagerProcesses.values());
        if (jobManager != null) {
            all.add(jobManager);
        }
        return all.stream().filter(Process::isAlive)
                .mapToLong(p -> p.info().totalCpuDuration().map(Duration::toNanos).orElse(0L)).sum() / 1e9;
    }

    /** The pids of the cluster's live processes by name ({@code jobmanager}, {@code tm-1}, ...), for {@link ThreadCpu}. */
    public Map<String, Long> processIds() {
        Map<String, Long> pids = new LinkedHashMap<>();
        if (jobManager != null && jobManager.isAlive()) {
            pids.put("jobmanager", jobManager.pid());
        }
        taskManagerProcesses.forEach((id, p) -> {
            if (p.isAlive()) {
                pids.put(id, p.pid());
            }
        });
        return pids;
    }

    /** Kills every process of the cluster (TaskManagers first) and waits for them; the files stay for the caller. */
    @Override
    public void close() {
        List<Process> all = new ArrayList<>(taskManagerProcesses.values());
        if (jobManager != null) {
            all.add(jobManager);
        }
        for (Process p : all) {
            p.destroyForcibly();
        }
        for (Process p : all) {
            try {
                p.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /**
     * The settings of a {@link FlinkStandaloneCluster}, checked here.
     *
     * @param taskManagers TaskManagers started by {@link #start()}, at least 0
     * @param slotsPerTaskManager {@code taskmanager.numberOfTaskSlots}, at least 1
     * @param startTimeout how long each start (a process up, a job submitted) may take
     * @param lib the jars of {@code lib/}; empty for {@link #libFromTestClassPath()}
     * @param settings {@code config.yaml} settings added to or replacing the generated ones
     */
    public record Options(int taskManagers, int slotsPerTaskManager, Duration startTimeout, List<Path> lib,
            Map<String, String> settings) {
        /** One TaskManager with one slot, 120 s per start (a loaded 2-core machine), the test class path's jars. */
        public static final Options DEFAULTS = new Options(1, 1, Duration.ofSeconds(120), List.of(), Map.of());

        public Options {
            if (taskManagers < 0 || slotsPerTaskManager < 1) {
                throw new IllegalArgumentException("taskManagers " + taskManagers + " must be at least 0 and slots "
                        + slotsPerTaskManager + " at least 1");
            }
            lib = List.copyOf(lib);
            settings = Collections.unmodifiableMap(new LinkedHashMap<>(settings));
        }
    }
}
