package io.streamlearn.e2e.faults;

import ai.djl.Device;
import static org.awaitility.Awaitility.await;
import ai.djl.Model;
import ai.djl.ndarray.types.DataType;
import io.streamlearn.app.StreamlearnCommand;
import io.streamlearn.core.broker.KraftNode;
import io.streamlearn.core.io.FileTrees;
import io.streamlearn.core.kafka.Topics;
import io.streamlearn.core.model.ModelSpec;
import io.streamlearn.core.model.NetworkBuilder;
import io.streamlearn.core.snapshot.SnapshotDraft;
import io.streamlearn.core.snapshot.SnapshotManifest;
import io.streamlearn.core.snapshot.SnapshotStore;
import io.streamlearn.core.testkit.ChildJvm;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.core.ConditionTimeoutException;

/**
 * One {@code streamlearn serve} instance as its own JVM (the command users run, on the test class path), so a test
 * or the failover benchmark can SIGKILL it mid-batch and start a replacement with the same instance id, as a restart
 * policy does. Its HTTP endpoint (a free port on 127.0.0.1) tells when it is ready and how many requests it served.
 */
public final class ServingProcess implements AutoCloseable {
    private static final Pattern SERVED = Pattern.compile(
            "streamlearn_serving_requests_total\\{outcome=\"served\",?\\} ([0-9.eE+]+)");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final ChildJvm jvm;
    private final int httpPort;

    private ServingProcess(ChildJvm jvm, int httpPort) {
        this.jvm = jvm;
        this.httpPort = httpPort;
    }

    /**
     * Starts {@code streamlearn serve} for {@code model} with {@code --instance-id instanceId}, the settings
     * docs/serving.md recommends for fast failover, and {@code extraArgs} (e.g. {@code --exactly-once}).
     */
    public static ServingProcess start(String instanceId, String bootstrap, Topics topics, Path store, String model,
            String group, List<String> extraArgs, Path logDir) {
        int port = KraftNode.freePort();
        List<String> args = new ArrayList<>(List.of("serve", "--bootstrap-server", bootstrap, "--topic-prefix",
                topics.prefix(), "--model", model, "--store", store.toString(), "--group-id", group,
                "--instance-id", instanceId, "--http", "127.0.0.1:" + port, "--max-wait-micros", "1000"));
        args.addAll(recommendedFailoverSettings());
        args.addAll(extraArgs);
        ChildJvm jvm = ChildJvm.start("serve-" + instanceId + "-" + port, StreamlearnCommand.class.getName(), args,
                List.of("-Xms256m", "-Xmx768m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                        "-Dai.djl.pytorch.num_threads=1"), logDir);
        return new ServingProcess(jvm, port);
    }

    /**
     * The serve flags docs/serving.md recommends when instances must take over from each other within seconds:
     * static membership under the instance id, a 10 s consumer session and a 10 s transaction timeout.
     */
    public static List<String> recommendedFailoverSettings() {
        return List.of("--static-membership", "--transaction-timeout-ms", "10000",
                "-X", "session.timeout.ms=10000", "-X", "heartbeat.interval.ms=1000");
    }

    /** Waits until {@code /readyz} answers 200 (a model is loaded and the request loop consumes). */
    public void awaitReady(Duration atMost) {
        try {
            await().atMost(atMost).pollInterval(Duration.ofMillis(100)).until(() -> {
                if (!jvm.isAlive()) {
                    throw new IllegalStateException(jvm.name() + " exited with " + jvm.exitCode().orElse(-1)
                            + "; its output ends:\n" + jvm.logTail(40));
                }
                return get("/readyz").map(r -> r.statusCode() == 200).orElse(false);
            });
        } catch (ConditionTimeoutException e) {
            throw new IllegalStateException(jvm.name() + " not ready after " + atMost.toSeconds() + " s; its output "
                    + "ends:\n" + jvm.logTail(40), e);
        }
    }

    /** Requests this instance has answered on Kafka and HTTP, from its {@code /metrics}; -1 when it does not answer. */
    public long served() {
        return get("/metrics").map(r -> {
            Matcher m = SERVED.matcher(r.body());
            return m.find() ? (long) Double.parseDouble(m.group(1)) : 0L;
        }).orElse(-1L);
    }

    /** SIGKILL: the instance dies mid-batch, with its transaction open and its group membership held. */
    public void kill() {
        jvm.kill();
    }

    /** SIGTERM: a graceful stop (the service closes and leaves its group). */
    public void stop() {
        jvm.stop();
    }

    public boolean isAlive() {
        return jvm.isAlive();
    }

    /** The instance's output file. */
    public Path log() {
        return jvm.log();
    }

    @Override
    public void close() {
        jvm.close();
    }

    private java.util.Optional<HttpResponse<String>> get(String path) {
        try {
            return java.util.Optional.of(HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort
                    + path)).timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.ofString()));
        } catch (IOException e) {
            return java.util.Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return java.util.Optional.empty();
        }
    }

    /**
     * Publishes freshly initialized parameters of {@code spec} as its next version in {@code store} (what the trainer
     * would publish; serving needs only a valid snapshot) and returns its manifest.
     */
    public static SnapshotManifest publishInitialized(SnapshotStore store, ModelSpec spec) {
        Path dir = null;
        try (Model model = Model.newInstance(spec.name(), Device.cpu())) {
            model.setBlock(NetworkBuilder.build(spec));
            model.getBlock().initialize(model.getNDManager(), DataType.FLOAT32, NetworkBuilder.inputShape(spec, 1));
            dir = Files.createTempDirectory("serving-process-params-");
            model.save(dir, spec.name());
            byte[] params = Files.readAllBytes(dir.resolve(SnapshotStore.paramsFileName(spec.name())));
            return store.publish(new SnapshotDraft(spec, params, 0, 0, -1, store.latestVersion(spec.name()), "PyTorch",
                    "cpu", Map.of(), Map.of("topic", "none")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (dir != null) {
                FileTrees.deleteRecursively(dir);
            }
        }
    }
}
