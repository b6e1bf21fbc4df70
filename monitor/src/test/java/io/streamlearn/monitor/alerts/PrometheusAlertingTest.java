package io.streamlearn.monitor.alerts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.djl.Model;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.prometheus.client.CollectorRegistry;
import io.streamlearn.core.example.Json;
import io.streamlearn.core.kafka.KafkaClients;
import io.streamlearn.core.kafka.Topics;
import io.streamlearn.core.model.ModelSpec;
import io.streamlearn.core.snapshot.SnapshotManifest;
import io.streamlearn.core.snapshot.SnapshotStore;
import io.streamlearn.core.testkit.KafkaBrokerExtension;
import io.streamlearn.monitor.testkit.MutableClock;
import io.streamlearn.monitor.testkit.PrometheusTools;
import io.streamlearn.monitor.testkit.Snapshots;
import io.streamlearn.serving.PredictionService;
import io.streamlearn.serving.ServingConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Prometheus (Debian's binary) scrapes a running prediction service's {@code /metrics} and evaluates the
 * real {@code StreamlearnModelStale} rule of alerts.yml (its {@code for} cut to 0s): the alert is inactive while
 * the model is fresh, fires when serving's clock moves two hours on, and resolves when a new version is
 * published and hot-swapped in.
 */
class PrometheusAlertingTest {
    private static final String ALERT = "StreamlearnModelStale";
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final ModelSpec SPEC = ModelSpec.mlp("stale", 4, 3, 8);

    @RegisterExtension
    static final KafkaBrokerExtension kafka = KafkaBrokerExtension.perClass();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dir;

    @Test
    void modelStaleAlertGoesFromInactiveToFiringAndBackWhenANewVersionIsServed() throws Exception {
        Path prometheusBinary = PrometheusTools.require("prometheus");
        String bootstrap = kafka.bootstrapServers();
        Topics topics = kafka.topics(1);
        MutableClock clock = new MutableClock(System.currentTimeMillis());
        Path storeRoot = dir.resolve("store");
        SnapshotStore store = new SnapshotStore(storeRoot, clock);
        ServingConfig config = ServingConfig.builder().setBootstrapServers(bootstrap).setModel(SPEC.name())
                .setStoreRoot(storeRoot).optTopics(topics).optGroupId("prom-test").optClock(clock)
                .optHttpAddress("127.0.0.1", 0).build();
        Process prometheus = null;
        try (PredictionService service = new PredictionService(config, new CollectorRegistry());
                KafkaProducer<byte[], byte[]> producer = KafkaClients.producer(bootstrap, Map.of())) {
            service.start();
            announce(producer, topics, publish(store));
            await().atMost(WAIT).until(() -> service.currentVersion() == 1);
            int servingPort = service.httpAddress().orElseThrow().getPort();

            int port = freePort();
            prometheus = startPrometheus(prometheusBinary, servingPort, port);
            String api = "http://127.0.0.1:" + port + "/api/v1/";

            // Inactive: scraped (age of v1 about 0 s), the rule evaluated, no alert.
            Process p = prometheus;
            await().atMost(WAIT).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
                assertAlive(p);
                JsonNode rule = rule(api);
                assertThat(rule.path("health").asText()).isEqualTo("ok");
                assertThat(rule.path("lastEvaluation").asText()).doesNotStartWith("0001");
                assertThat(scalar(api, "streamlearn_model_age_seconds")).hasValueSatisfying(v -> assertThat(v).isLessThan(1800));
            });
            assertThat(rule(api).path("state").asText()).isEqualTo("inactive");
            assertThat(alert(api)).isEmpty();

            // Firing: serving's clock says v1 was published two hours ago.
            clock.advance(Duration.ofHours(2));
            await().atMost(WAIT).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
                assertAlive(p);
                assertThat(alert(api)).hasValueSatisfying(a -> assertThat(a.path("state").asText()).isEqualTo("firing"));
            });
            JsonNode firing = alert(api).orElseThrow();
            assertThat(firing.path("labels").path("severity").asText()).isEqualTo("warning");
            assertThat(firing.path("labels").path("instance").asText()).isEqualTo("127.0.0.1:" + servingPort);
            assertThat(firing.path("annotations").path("runbook_url").asText())
                    .isEqualTo("docs/monitoring.md#model-stale-in-serving");
            assertThat(firing.path("annotations").path("summary").asText())
                    .startsWith("Serving 127.0.0.1:" + servingPort + " answers with a model published 2h ");

            // Inactive again: the trainer publishes v2 (now, by the same clock), serving swaps to it.
            announce(producer, topics, publish(store));
            await().atMost(WAIT).until(() -> service.currentVersion() == 2);
            await().atMost(WAIT).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
                assertAlive(p);
                assertThat(alert(api)).isEmpty();
                assertThat(rule(api).path("state").asText()).isEqualTo("inactive");
            });
        } finally {
            if (prometheus != null) {
                prometheus.destroy();
                if (!prometheus.waitFor(10, TimeUnit.SECONDS)) {
                    prometheus.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
        }
    }

    /** Prometheus on 127.0.0.1:port with a 1 s scrape and evaluation interval and the real rule, for: 0s. */
    private Process startPrometheus(Path binary, int servingPort, int port) throws IOException {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        ObjectNode rule = null;
        for (JsonNode r : AlertRulesTest.rules()) {
            if (ALERT.equals(r.path("alert").asText())) {
                rule = (ObjectNode) r.deepCopy();
            }
        }
        assertThat(rule).as(ALERT + " in alerts.yml").isNotNull();
        rule.put("for", "0s");
        ObjectNode rules = yaml.createObjectNode();
        rules.putArray("groups").addObject().put("name", "streamlearn-test").put("interval", "1s")
                .putArray("rules").add(rule);
        Path rulesFile = dir.resolve("rules.yml");
        yaml.writeValue(rulesFile.toFile(), rules);
        Path configFile = dir.resolve("prometheus.yml");
        Files.writeString(configFile, """
                global:
                  scrape_interval: 1s
                  evaluation_interval: 1s
                rule_files:
                  - %s
                scrape_configs:
                  - job_name: streamlearn-serving
                    static_configs:
                      - targets: ['127.0.0.1:%d']
                """.formatted(rulesFile, servingPort));
        Path log = dir.resolve("prometheus.log");
        return new ProcessBuilder(binary.toString(), "--config.file=" + configFile,
                "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port,
                "--log.level=warn").redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private void assertAlive(Process p) throws IOException {
        if (!p.isAlive()) {
            throw new AssertionError("prometheus exited with " + p.exitValue() + ":\n"
                    + Files.readString(dir.resolve("prometheus.log")));
        }
    }

    private JsonNode get(String url) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(url + ": " + r.body()).isEqualTo(200);
        return Json.MAPPER.readTree(r.body());
    }

    private JsonNode rule(String api) throws IOException, InterruptedException {
        for (JsonNode group : get(api + "rules").path("data").path("groups")) {
            for (JsonNode r : group.path("rules")) {
                if (ALERT.equals(r.path("name").asText())) {
                    return r;
                }
            }
        }
        throw new AssertionError(ALERT + " is not among the loaded rules");
    }

    private Optional<JsonNode> alert(String api) throws IOException, InterruptedException {
        for (JsonNode a : get(api + "alerts").path("data").path("alerts")) {
            if (ALERT.equals(a.path("labels").path("alertname").asText())) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }

    private Optional<Double> scalar(String api, String query) throws IOException, InterruptedException {
        JsonNode result = get(api + "query?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8))
                .path("data").path("result");
        return result.isEmpty() ? Optional.empty() : Optional.of(result.get(0).path("value").get(1).asDouble());
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }

    private SnapshotManifest publish(SnapshotStore store) throws IOException {
        // In the test's own directory, which JUnit deletes.
        try (Model model = Snapshots.random(SPEC)) {
            return Snapshots.publish(store, SPEC, model, dir);
        }
    }

    private static void announce(KafkaProducer<byte[], byte[]> producer, Topics topics, SnapshotManifest m) {
        producer.send(new ProducerRecord<>(topics.models(), m.model().getBytes(StandardCharsets.UTF_8),
                m.toJsonBytes()));
        producer.flush();
    }
}
