package io.streamlearn.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.streamlearn.app.StreamlearnCommand;
import io.streamlearn.core.testkit.Prerequisites;
import io.streamlearn.trainer.job.TrainerConfig;
import io.streamlearn.trainer.job.TrainerJob;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The docker-compose deployment at the repository root: Debian's docker-compose accepts the file,
 * and the commands its services run are the real command lines of streamlearn and of the trainer job.
 */
class ComposeFileTest {
    private static final Path ROOT = repositoryRoot();
    private static final Path COMPOSE_FILE = ROOT.resolve("docker-compose.yml");

    private static Map<String, Object> compose;

    @BeforeAll
    static void readComposeFile() throws IOException {
        // SnakeYAML (on the class path already, with kafka_2.13's jackson-dataformat-yaml) rather than
        // Jackson's tree: only SnakeYAML resolves the anchors, aliases and merge keys (<<: *flink-image)
        // the compose file uses.
        try (Reader in = Files.newBufferedReader(COMPOSE_FILE, StandardCharsets.UTF_8)) {
            compose = new Yaml(new SafeConstructor(new LoaderOptions())).load(in);
        }
    }

    @Test
    void dockerComposeAcceptsTheFile() throws Exception {
        Path dockerCompose = Prerequisites.tool("docker-compose", "docker-compose");
        ProcessBuilder config = new ProcessBuilder(dockerCompose.toString(), "-f", COMPOSE_FILE.toString(), "config")
                .directory(ROOT.toFile()).redirectErrorStream(true);
        // The file refuses to start Grafana without an admin password; a user sets one, so does the test.
        config.environment().put("GRAFANA_ADMIN_PASSWORD", "compose-file-test");
        Process p = config.start();
        p.getOutputStream().close();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("docker-compose config finished").isTrue();
        assertThat(p.exitValue()).as("docker-compose -f docker-compose.yml config says:%n%s", output).isZero();
        assertThat(output).contains("trainer-submit", "taskmanager-gpu", "serving");
    }

    @Test
    void everyPublishedPortBindsLoopbackOnly() {
        Map<String, List<String>> published = new LinkedHashMap<>();
        services().forEach((name, service) -> {
            Object ports = service.get("ports");
            assertThat(ports == null || ports instanceof List).as("service %s: ports in the short form", name).isTrue();
            if (ports != null) {
                published.put(name, ((List<?>) ports).stream().map(String::valueOf).toList());
            }
        });
        assertThat(published).as("services reachable from the host").containsKeys("kafka", "jobmanager", "serving",
                "prometheus", "grafana");
        // "127.0.0.1:HOST:CONTAINER" or "127.0.0.1::CONTAINER"; "HOST:CONTAINER" or "CONTAINER" bind every interface.
        published.forEach((name, ports) -> assertThat(ports).as("service %s: published ports", name)
                .allSatisfy(port -> assertThat(port).matches("127\\.0\\.0\\.1:\\d*:\\d+(/tcp|/udp)?")));
    }

    @Test
    void grafanaRefusesToStartWithoutAnAdminPassword() {
        Object password = environment("grafana", services().get("grafana")).get("GF_SECURITY_ADMIN_PASSWORD");
        assertThat(String.valueOf(password)).as("grafana's admin password: required, no default")
                .matches("\\$\\{GRAFANA_ADMIN_PASSWORD:\\?[^}]+}");
    }

    @Test
    void servicesPrometheusScrapesListenOnTheirContainerInterface() {
        Map<String, Map<String, Object>> services = services();
        assertThat(command("serving", services.get("serving"))).containsSequence("--http", "0.0.0.0:8080");
        assertThat(command("ingest", services.get("ingest"))).containsSequence("--metrics-port", "9400")
                .containsSequence("--metrics-address", "0.0.0.0");
        assertThat(command("monitor", services.get("monitor"))).containsSequence("--metrics-port", "9404")
                .containsSequence("--metrics-address", "0.0.0.0");
        assertThat(command("join", services.get("join"))).containsSequence("--metrics-port", "9401")
                .containsSequence("--metrics-address", "0.0.0.0");
    }

    @Test
    void everyStreamlearnCommandParsesWithTheRealCommandLine() {
        Map<String, List<String>> commands = new LinkedHashMap<>();
        services().forEach((name, service) -> {
            List<String> command = command(name, service);
            if (!command.isEmpty() && command.get(0).equals("streamlearn")) {
                commands.put(name, command.subList(1, command.size()));
            }
        });
        assertThat(commands).containsKeys("serving", "ingest", "monitor", "join");
        assertThat(commands.get("monitor")).startsWith("monitor");
        assertThat(commands.get("join")).startsWith("join");
        assertThat(commands.get("serving")).startsWith("serve");

        commands.forEach((name, args) -> assertThatCode(
                () -> StreamlearnCommand.commandLine().parseArgs(args.toArray(String[]::new)))
                .as("service %s: streamlearn %s", name, String.join(" ", args))
                .doesNotThrowAnyException());
    }

    @Test
    void trainerSubmitPassesOnlyFlagsTheTrainerJobReads() throws Exception {
        Map<String, Object> service = services().get("trainer-submit");
        assertThat(service).as("service trainer-submit").isNotNull();
        List<String> command = command("trainer-submit", service);
        assertThat(command).first().isEqualTo("submit-trainer");
        String script = Files.readString(ROOT.resolve("docker/flink/submit-trainer.sh"));
        assertThat(script).as("submit-trainer runs the job's main class").contains("-c " + TrainerJob.class.getName());

        // The flags go unchanged to TrainerJob.main; its parser reads the spec file, so container paths
        // of the service's bind mounts become the repository paths they mount.
        List<String> args = new ArrayList<>();
        for (String arg : command.subList(1, command.size())) {
            args.add(hostPath("trainer-submit", service, arg));
        }
        // The job's own parser refuses any flag its settings do not define, naming the nearest one.
        TrainerConfig config;
        try {
            config = TrainerJob.fromArgs(args.toArray(String[]::new));
        } catch (IllegalArgumentException e) {
            throw new AssertionError("TrainerJob.fromArgs refuses trainer-submit's flags: " + e.getMessage(), e);
        }
        assertThat(config.bootstrapServers()).isEqualTo("kafka:9092");
        assertThat(config.spec().name()).isEqualTo("mlp");
        assertThat(config.storeRoot()).isEqualTo("/snapshots");
        assertThat(volumes("trainer-submit", service)).as("trainer-submit mounts what the job is told")
                .contains("./specs:/specs:ro");
    }

    @Test
    void trainerAndServingShareTheSnapshotVolume() {
        Map<String, Map<String, Object>> services = services();
        for (String name : List.of("taskmanager", "taskmanager-gpu")) {
            assertThat(volumes(name, services.get(name))).as(name).contains("snapshots:/snapshots", "checkpoints:/checkpoints");
        }
        assertThat(volumes("jobmanager", services.get("jobmanager"))).contains("checkpoints:/checkpoints");
        assertThat(volumes("serving", services.get("serving"))).contains("snapshots:/snapshots:ro");
        // The monitor reads the manifests it promotes from the same store.
        assertThat(volumes("monitor", services.get("monitor"))).contains("snapshots:/snapshots:ro");
        assertThat(command("monitor", services.get("monitor"))).containsSequence("--store", "/snapshots");
        assertThat(command("serving", services.get("serving"))).containsSequence("--store", "/snapshots");
    }

    @Test
    void everyFlinkProcessLoadsDjlParentFirstAndReportsToPrometheus() {
        Map<String, Map<String, Object>> services = services();
        Map<String, String> common = flinkProperties("x-flink-properties", compose.get("x-flink-properties"));
        assertThat(common).containsEntry("classloader.parent-first-patterns.additional", "ai.djl.")
                .containsEntry("metrics.reporter.prom.factory.class",
                        "org.apache.flink.metrics.prometheus.PrometheusReporterFactory")
                .containsEntry("metrics.reporter.prom.port", "9249")
                .containsKey("execution.checkpointing.dir");
        for (String name : List.of("jobmanager", "taskmanager", "trainer-submit", "taskmanager-gpu")) {
            Map<String, String> own = flinkProperties(name, environment(name, services.get(name)).get("FLINK_PROPERTIES"));
            common.forEach((key, value) -> {
                if (!key.equals("taskmanager.numberOfTaskSlots")) {
                    assertThat(own).as("%s's FLINK_PROPERTIES (keep in sync with x-flink-properties)", name)
                            .containsEntry(key, value);
                }
            });
        }
    }

    @Test
    void gpuTaskManagerReservesAnNvidiaGpuAndOffersItAsFlinksGpuResource() {
        Map<String, Object> gpu = services().get("taskmanager-gpu");
        assertThat(gpu.get("profiles")).isEqualTo(List.of("gpu"));
        Map<String, String> properties = flinkProperties("taskmanager-gpu", environment("taskmanager-gpu", gpu)
                .get("FLINK_PROPERTIES"));
        assertThat(properties).containsEntry("external-resources", "gpu")
                .containsEntry("external-resource.gpu.amount", "1")
                .containsEntry("external-resource.gpu.driver-factory.class",
                        "org.apache.flink.externalresource.gpu.GPUDriverFactory")
                .containsKey("external-resource.gpu.param.discovery-script.path");
        Object devices = ((Map<?, ?>) ((Map<?, ?>) ((Map<?, ?>) gpu.get("deploy")).get("resources"))
                .get("reservations")).get("devices");
        assertThat(devices).isInstanceOf(List.class);
        assertThat((List<?>) devices).singleElement().satisfies(d -> {
            assertThat(((Map<?, ?>) d).get("driver")).isEqualTo("nvidia");
            assertThat(((Map<?, ?>) d).get("capabilities")).isEqualTo(List.of("gpu"));
        });
    }

    @Test
    void everyFileTheStackMountsOrBuildsFromExists() {
        List<String> missing = new ArrayList<>();
        services().forEach((name, service) -> {
            for (String volume : volumes(name, service)) {
                String source = volume.split(":")[0];
                if (source.startsWith("./") && !Files.exists(ROOT.resolve(source))) {
                    missing.add(name + " mounts " + source);
                }
            }
            if (service.get("build") instanceof Map<?, ?> build) {
                Object dockerfile = build.get("dockerfile");
                if (dockerfile != null && !Files.isRegularFile(ROOT.resolve(dockerfile.toString()))) {
                    missing.add(name + " builds from " + dockerfile);
                }
            }
        });
        assertThat(missing).as("paths in docker-compose.yml that do not exist in the repository").isEmpty();
    }

    // ------------------------------------------------------------------------------------------

    @SuppressWarnings("unchecked")
    private static Map<String, Map<String, Object>> services() {
        return (Map<String, Map<String, Object>>) compose.get("services");
    }

    /** The service's command as argv; a string command is split on blanks (it must not need a shell). */
    private static List<String> command(String name, Map<String, Object> service) {
        Object command = service.get("command");
        if (command == null) {
            return List.of();
        }
        if (command instanceof List<?> list) {
            return list.stream().map(String::valueOf).toList();
        }
        String s = command.toString().trim();
        assertThat(s).as("service %s: a string command with quotes needs the list form", name).doesNotContain("\"", "'");
        return List.of(s.split("\\s+"));
    }

    private static List<String> volumes(String name, Map<String, Object> service) {
        Object volumes = service.get("volumes");
        assertThat(volumes == null || volumes instanceof List).as("service %s: volumes in the short form", name).isTrue();
        return volumes == null ? List.of() : ((List<?>) volumes).stream().map(String::valueOf).toList();
    }

    private static Map<String, Object> environment(String name, Map<String, Object> service) {
        Object env = service.get("environment");
        assertThat(env).as("service %s: environment as a map", name).isInstanceOf(Map.class);
        @SuppressWarnings("unchecked")
        Map<String, Object> map = (Map<String, Object>) env;
        return map;
    }

    /**
     * FLINK_PROPERTIES as the Flink image's entrypoint reads it: one {@code key: value} per line,
     * blanks removed, split at the first colon.
     */
    private static Map<String, String> flinkProperties(String where, Object value) {
        assertThat(value).as("%s: FLINK_PROPERTIES", where).isInstanceOf(String.class);
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : value.toString().split("\n")) {
            String l = line.replaceAll("\\s", "");
            if (l.isEmpty()) {
                continue;
            }
            int colon = l.indexOf(':');
            assertThat(colon).as("%s: FLINK_PROPERTIES line '%s' is key: value", where, line).isPositive();
            assertThat(line.substring(line.indexOf(':') + 1).trim()).as("%s: '%s' has a blank inside its value, which "
                    + "the Flink image's entrypoint deletes", where, line).doesNotContain(" ");
            out.put(l.substring(0, colon), l.substring(colon + 1));
        }
        return out;
    }

    /** {@code arg} with a bind-mounted container path replaced by the repository path it mounts. */
    private static String hostPath(String name, Map<String, Object> service, String arg) {
        for (String volume : volumes(name, service)) {
            String[] parts = volume.split(":");
            if (parts.length >= 2 && parts[0].startsWith("./")
                    && (arg.equals(parts[1]) || arg.startsWith(parts[1] + "/"))) {
                return ROOT.resolve(parts[0]).normalize() + arg.substring(parts[1].length());
            }
        }
        return arg;
    }

    /** Tests run in app/ (its testSourceDirectory is the top-level src/test); the compose file is one up. */
    private static Path repositoryRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null) {
            if (Files.isRegularFile(dir.resolve("docker-compose.yml")) && Files.isRegularFile(dir.resolve("mvnw"))) {
                return dir;
            }
            dir = dir.getParent();
        }
        throw new IllegalStateException("no docker-compose.yml next to mvnw above " + Path.of("").toAbsolutePath());
    }
}
