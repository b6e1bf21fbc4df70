package io.streamlearn.serving.http;

import static io.streamlearn.serving.ServingTestKit.row;
import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.client.Collector;
import io.streamlearn.core.example.Example;
import io.streamlearn.core.example.ExampleJsonCodec;
import io.streamlearn.core.example.Features;
import io.streamlearn.core.example.Json;
import io.streamlearn.core.testkit.KafkaBrokerExtension;
import io.streamlearn.serving.PredictionService;
import io.streamlearn.serving.ServingConfig;
import io.streamlearn.serving.ServingTestKit;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** What the HTTP endpoint does under floods, stalled clients, huge bodies, failures, wrong tokens and TLS. */
class HttpEndpointGuardsTest extends ServingTestKit.OnEmbeddedBroker {
    @RegisterExtension
    static final KafkaBrokerExtension kafka = KafkaBrokerExtension.perClass();
    private static final String TOKEN = "0123456789abcdef0123456789abcdef";

    @TempDir
    Path secrets;

    HttpEndpointGuardsTest() {
        super(kafka);
    }

    @Test
    void answersEachOfAFloodFrom500ConnectionsWith200Or503RetryAfterAndStaysHealthy() throws Exception {
        try (PredictionService service = new PredictionService(httpConfig(HttpOptions.NONE), registry);
                KafkaProducer<byte[], byte[]> producer = producer()) {
            startServing(service, producer);
            String base = "http://127.0.0.1:" + service.httpAddress().orElseThrow().getPort();
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            long heapBefore = usedHeapAfterGc();
            Semaphore connections = new Semaphore(500);
            ConcurrentHashMap<String, Integer> outcomes = new ConcurrentHashMap<>();
            List<CompletableFuture<?>> calls = new ArrayList<>();
            for (int i = 0; i < 10_000; i++) {
                connections.acquire();
                calls.add(client.sendAsync(post(base, request("f" + i, i)), HttpResponse.BodyHandlers.ofString())
                        .handle((r, failure) -> {
                            connections.release();
                            String outcome = failure != null ? "failed: " + failure
                                    : r.statusCode() == 503 && r.headers().firstValue("Retry-After").isPresent()
                                    ? "503 with Retry-After" : Integer.toString(r.statusCode());
                            outcomes.merge(outcome, 1, Integer::sum);
                            return null;
                        }));
            }
            CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).get(5, TimeUnit.MINUTES);
            assertThat(outcomes.keySet()).isSubsetOf("200", "503 with Retry-After");
            assertThat(outcomes.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(10_000);
            assertThat(usedHeapAfterGc() - heapBefore).isLessThan(256L << 20);
            assertThat(send(client, get(base + "/healthz")).statusCode()).isEqualTo(200);
            assertThat(send(client, post(base, request("after", 1))).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void stalledClientsDelayNeitherReadinessNorOtherClients() throws Exception {
        List<Socket> stalled = new ArrayList<>();
        try (PredictionService service = new PredictionService(httpConfig(HttpOptions.NONE), registry);
                KafkaProducer<byte[], byte[]> producer = producer()) {
            startServing(service, producer);
            int port = service.httpAddress().orElseThrow().getPort();
            for (int i = 0; i < 20; i++) {
                Socket s = new Socket("127.0.0.1", port);
                stalled.add(s);
                // Half send complete headers and never the body they announce, half never finish the headers.
                String head = i % 2 == 0 ? "POST /v1/predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                        + "Content-Length: 1000\r\n\r\n{\"id\":" : "GET /readyz HTTP/1.1\r\nHost: x\r\nX-Slow: ";
                s.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().flush();
            }
            // A bounded wait: both must be answered while all 20 connections hang.
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            String base = "http://127.0.0.1:" + port;
            HttpResponse<String> ready = client.send(HttpRequest.newBuilder(URI.create(base + "/readyz"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(ready.statusCode()).isEqualTo(200);
            HttpResponse<String> other = client.send(HttpRequest.newBuilder(URI.create(base + "/v1/predict"))
                    .timeout(Duration.ofSeconds(2)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(request("other", 2))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(other.statusCode()).isEqualTo(200);
        } finally {
            for (Socket s : stalled) {
                s.close();
            }
        }
    }

    @Test
    void refusesABodyOverSixteenMebibytesWith413BeforeReadingIt() throws Exception {
        try (PredictionService service = new PredictionService(httpConfig(HttpOptions.NONE), registry);
                KafkaProducer<byte[], byte[]> producer = producer()) {
            startServing(service, producer);
            int port = service.httpAddress().orElseThrow().getPort();
            // Announced 17 MiB, of which not one byte is sent: the answer can only come from the header.
            try (Socket s = new Socket("127.0.0.1", port)) {
                s.setSoTimeout(10_000);
                s.getOutputStream().write(("POST /v1/predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                        + "Content-Length: " + (17 << 20) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                assertThat(statusLine(s.getInputStream())).isEqualTo("HTTP/1.1 413 Payload Too Large");
            }
            // Chunked, without a length: refused once it passes the limit, long before its end.
            try (Socket s = new Socket("127.0.0.1", port)) {
                s.setSoTimeout(10_000);
                OutputStream out = s.getOutputStream();
                out.write(("POST /v1/predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                        + "Transfer-Encoding: chunked\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                byte[] chunk = new byte[1 << 20];
                java.util.Arrays.fill(chunk, (byte) ' ');
                byte[] size = (Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII);
                try {
                    for (int i = 0; i < 17; i++) {
                        out.write(size);
                        out.write(chunk);
                        out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                    }
                } catch (java.io.IOException closedByServer) {
                    // The server answered and closed while the rest was still coming: what it should do.
                }
                assertThat(statusLine(s.getInputStream())).isEqualTo("HTTP/1.1 413 Payload Too Large");
            }
        }
    }

    @Test
    void answersAFailureWith500NamingTheProblemWithoutExceptionText() throws Exception {
        registry.register(new Collector() {
            @Override
            public List<MetricFamilySamples> collect() {
                throw new IllegalStateException("secret detail of a broken collector");
            }
        });
        try (PredictionService service = new PredictionService(httpConfig(HttpOptions.NONE), registry)) {
            service.start();
            String base = "http://127.0.0.1:" + service.httpAddress().orElseThrow().getPort();
            HttpResponse<String> failed = send(HttpClient.newHttpClient(), get(base + "/metrics"));
            assertThat(failed.statusCode()).isEqualTo(500);
            assertThat(Json.MAPPER.readTree(failed.body()).path("error").asText())
                    .isEqualTo("internal error; the server log has the details");
            assertThat(failed.body()).doesNotContain("Exception").doesNotContain("secret").doesNotContain("\tat ");
        }
    }

    @Test
    void requiresTheBearerTokenEverywhereUnlessHealthIsOpened() throws Exception {
        Path tokenFile = Files.writeString(secrets.resolve("token"), TOKEN + "\n");
        try (PredictionService service = new PredictionService(httpConfig(new HttpOptions(tokenFile, null, null,
                false)), registry); KafkaProducer<byte[], byte[]> producer = producer()) {
            startServing(service, producer);
            String base = "http://127.0.0.1:" + service.httpAddress().orElseThrow().getPort();
            HttpClient client = HttpClient.newHttpClient();
            HttpResponse<String> missing = send(client, post(base, request("q", 1)));
            assertThat(missing.statusCode()).isEqualTo(401);
            assertThat(missing.headers().firstValue("WWW-Authenticate").orElseThrow()).startsWith("Bearer");
            HttpResponse<String> malformed = send(client, withAuth(post(base, request("q", 1)), "Basic abc"));
            assertThat(malformed.statusCode()).isEqualTo(401);
            assertThat(malformed.headers().firstValue("WWW-Authenticate").orElseThrow()).startsWith("Bearer");
            assertThat(send(client, withAuth(post(base, request("q", 1)), "Bearer " + TOKEN.replace('0', '1')))
                    .statusCode()).isEqualTo(403);
            assertThat(send(client, withAuth(post(base, request("q", 1)), "Bearer " + TOKEN)).statusCode())
                    .isEqualTo(200);
            assertThat(send(client, get(base + "/readyz")).statusCode()).isEqualTo(401);
            assertThat(send(client, get(base + "/metrics")).statusCode()).isEqualTo(401);
        }
        try (PredictionService service = new PredictionService(httpConfig(new HttpOptions(tokenFile, null, null,
                true)), registry)) {
            service.start();
            String base = "http://127.0.0.1:" + service.httpAddress().orElseThrow().getPort();
            HttpClient client = HttpClient.newHttpClient();
            assertThat(send(client, get(base + "/healthz")).statusCode()).isEqualTo(200);
            assertThat(send(client, get(base + "/metrics")).statusCode()).isEqualTo(401);
        }
    }

    @Test
    void servesHttpsWithAPkcs12Keystore() throws Exception {
        Path keystore = secrets.resolve("server.p12");
        Path passwordFile = Files.writeString(secrets.resolve("password"), "changeit-test\n");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "serving", "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2",
                "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-storetype", "PKCS12",
                "-keystore", keystore.toString(), "-storepass", "changeit-test").redirectErrorStream(true).start();
        assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(keytool.exitValue()).as(new String(keytool.getInputStream().readAllBytes())).isZero();
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            trusted.load(in, "changeit-test".toCharArray());
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trusted);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        try (PredictionService service = new PredictionService(httpConfig(new HttpOptions(null, keystore,
                passwordFile, false)), registry)) {
            service.start();
            int port = service.httpAddress().orElseThrow().getPort();
            HttpClient client = HttpClient.newBuilder().sslContext(ssl).build();
            HttpResponse<String> health = send(client, get("https://127.0.0.1:" + port + "/healthz"));
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(health.body()).isEqualTo("ok\n");
        }
    }

    private ServingConfig httpConfig(HttpOptions options) {
        return servingConfig().optHttpAddress("127.0.0.1", 0).optHttpOptions(options).build();
    }

    private static String request(String id, int seed) {
        return new String(ExampleJsonCodec.encode(Example.request(id, Features.ofFloats(row(8, seed)))),
                StandardCharsets.UTF_8);
    }

    private static HttpRequest post(String base, String json) {
        return HttpRequest.newBuilder(URI.create(base + "/v1/predict")).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build();
    }

    private static HttpRequest get(String uri) {
        return HttpRequest.newBuilder(URI.create(uri)).timeout(Duration.ofSeconds(30)).GET().build();
    }

    private static HttpRequest withAuth(HttpRequest r, String authorization) {
        return HttpRequest.newBuilder(r, (name, value) -> true).header("Authorization", authorization).build();
    }

    private static HttpResponse<String> send(HttpClient client, HttpRequest r) throws Exception {
        return client.send(r, HttpResponse.BodyHandlers.ofString());
    }

    private static String statusLine(InputStream in) throws java.io.IOException {
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0 && c != '\r') {
            line.append((char) c);
        }
        return line.toString();
    }

    private static long usedHeapAfterGc() {
        Runtime rt = Runtime.getRuntime();
        System.gc();
        return rt.totalMemory() - rt.freeMemory();
    }
}
