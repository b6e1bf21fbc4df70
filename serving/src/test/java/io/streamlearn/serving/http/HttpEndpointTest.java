package io.streamlearn.serving.http;

import static io.streamlearn.serving.ServingTestKit.announce;
import static io.streamlearn.serving.ServingTestKit.publish;
import static io.streamlearn.serving.ServingTestKit.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamlearn.core.example.Example;
import io.streamlearn.core.example.ExampleJsonCodec;
import io.streamlearn.core.example.Features;
import io.streamlearn.core.example.Json;
import io.streamlearn.core.prediction.Prediction;
import io.streamlearn.core.prediction.PredictionJsonCodec;
import io.streamlearn.core.snapshot.SnapshotManifest;
import io.streamlearn.core.testkit.KafkaBrokerExtension;
import io.streamlearn.serving.PredictionService;
import io.streamlearn.serving.ServingConfig;
import io.streamlearn.serving.ServingTestKit;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The HTTP endpoint of a service on a free port of 127.0.0.1, with a real broker and real snapshots. */
class HttpEndpointTest extends ServingTestKit.OnEmbeddedBroker {
    @RegisterExtension
    static final KafkaBrokerExtension kafka = KafkaBrokerExtension.perClass();

    HttpEndpointTest() {
        super(kafka);
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @Test
    void isNotReadyUntilAModelIsLoadedThenPredictsWithTheVersionAndExportsMetrics() throws Exception {
        SnapshotManifest v1 = publish(store, MLP);
        // The model's age is read from this clock: 42 s after v1 was published.
        Clock clock = Clock.fixed(Instant.ofEpochMilli(v1.createdMs() + 42_000), ZoneOffset.UTC);
        ServingConfig config = servingConfig().optTopK(2).optClock(clock).optHttpAddress("127.0.0.1", 0).build();
        int port;
        try (PredictionService service = new PredictionService(config, registry);
                KafkaProducer<byte[], byte[]> producer = producer()) {
            service.start();
            InetSocketAddress address = service.httpAddress().orElseThrow();
            assertThat(address.getAddress().getHostAddress()).isEqualTo("127.0.0.1");
            port = address.getPort();
            assertThat(port).isPositive();
            String base = "http://127.0.0.1:" + port;

            assertThat(get(base + "/healthz").statusCode()).isEqualTo(200);
            HttpResponse<String> notReady = get(base + "/readyz");
            assertThat(notReady.statusCode()).isEqualTo(503);
            assertThat(notReady.body()).contains("no model of mlp is loaded yet");
            assertThat(post(base + "/v1/predict", request("early", 1)).statusCode()).isEqualTo(503);
            assertThat(get(base + "/metrics").body()).contains("streamlearn_model_version 0.0")
                    .contains("streamlearn_model_age_seconds NaN");

            announce(producer, topics, v1);
            await().atMost(WAIT).until(() -> get(base + "/readyz").statusCode() == 200);
            assertThat(get(base + "/readyz").body()).isEqualTo("ready: mlp v1\n");

            HttpResponse<String> one = post(base + "/v1/predict", request("q1", 1));
            assertThat(one.statusCode()).isEqualTo(200);
            assertThat(one.headers().firstValue("X-Streamlearn-Model-Version")).hasValue("1");
            assertThat(one.headers().firstValue("Content-Type")).hasValue("application/json");
            Prediction p = PredictionJsonCodec.decode(one.body().getBytes(StandardCharsets.UTF_8));
            assertThat(p.id()).isEqualTo("q1");
            assertThat(p.version()).isEqualTo(1);
            assertThat(p.model()).isEqualTo("mlp");
            assertThat(p.scores()).hasSize(2);
            assertThat(p.label()).isEqualTo(p.scores().get(0).label());

            String batch = "[" + request("a", 1) + "," + request("b", 2) + ",\n" + request("c", 3) + "]";
            HttpResponse<String> many = post(base + "/v1/predict", batch);
            assertThat(many.statusCode()).isEqualTo(200);
            JsonNode array = Json.MAPPER.readTree(many.body());
            assertThat(array.isArray()).isTrue();
            assertThat(array.size()).isEqualTo(3);
            assertThat(array.get(0).path("id").asText()).isEqualTo("a");
            assertThat(array.get(2).path("id").asText()).isEqualTo("c");
            assertThat(array.get(1).path("version").asLong()).isEqualTo(1);
            assertThat(array.get(0).path("label").asInt()).as("same row, same answer as alone").isEqualTo(p.label());

            HttpResponse<String> wrongCount = post(base + "/v1/predict", ExampleJsonCodecRow.json("short", row(7, 1)));
            assertThat(wrongCount.statusCode()).isEqualTo(400);
            assertThat(Json.MAPPER.readTree(wrongCount.body()).path("error").asText())
                    .isEqualTo("short: feature count 7, expected 8 for model mlp v1");
            HttpResponse<String> garbage = post(base + "/v1/predict", "{\"features\":[1,2]}");
            assertThat(garbage.statusCode()).isEqualTo(400);
            assertThat(garbage.body()).contains("missing required field 'id'");
            HttpResponse<String> badRow = post(base + "/v1/predict", "[" + request("ok", 1) + ",{\"id\":\"x\"}]");
            assertThat(badRow.statusCode()).isEqualTo(400);
            assertThat(badRow.body()).contains("request 1: ");
            assertThat(get(base + "/v1/predict").statusCode()).isEqualTo(405);
            assertThat(get(base + "/nothing-here").statusCode()).isEqualTo(404);

            HttpResponse<String> metrics = get(base + "/metrics");
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/plain");
            assertThat(metrics.body())
                    .contains("streamlearn_model_version 1.0")
                    .contains("streamlearn_model_age_seconds 42.0")
                    .contains("streamlearn_serving_swaps_total 1.0")
                    .contains("streamlearn_serving_refused_snapshots_total 0.0")
                    .contains("streamlearn_serving_requests_total{outcome=\"served\",} 4.0")
                    .contains("streamlearn_serving_requests_total{outcome=\"rejected\",} 1.0")
                    .contains("streamlearn_serving_http_requests_total{path=\"/v1/predict\",code=\"200\",} 2.0");
            assertThat(registry.getSampleValue("streamlearn_model_age_seconds")).isEqualTo(42.0);
        }
        // The port is released on close.
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", port));
        }
        assertThatThrownBy(() -> get("http://127.0.0.1:" + port + "/healthz")).isInstanceOf(ConnectException.class);
    }

    private static String request(String id, int seed) {
        return ExampleJsonCodecRow.json(id, row(8, seed));
    }

    private HttpResponse<String> get(String uri) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(uri)).timeout(Duration.ofSeconds(30)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String uri, String json) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(uri)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** A request in the JSON form of the requests topic. */
    private static final class ExampleJsonCodecRow {
        static String json(String id, float[] features) {
            return new String(ExampleJsonCodec.encode(Example.request(id, Features.ofFloats(features))),
                    StandardCharsets.UTF_8);
        }
    }
}
