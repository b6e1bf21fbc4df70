package io.streamlearn.serving.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.exporter.common.TextFormat;
import io.streamlearn.core.example.CodecException;
import io.streamlearn.core.example.ContentTypes;
import io.streamlearn.core.example.Example;
import io.streamlearn.core.example.ExampleCodec;
import io.streamlearn.core.example.ExampleJsonCodec;
import io.streamlearn.core.example.Json;
import io.streamlearn.core.prediction.Prediction;
import io.streamlearn.core.prediction.PredictionJsonCodec;
import io.streamlearn.serving.ServiceHealth;
import io.streamlearn.serving.ServingConfig;
import io.streamlearn.serving.ServingMetrics;
import io.streamlearn.serving.model.ServingModel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP endpoint of a prediction service on the JDK's {@code HttpServer}:
 * {@code POST /v1/predict}, {@code GET /healthz}, {@code GET /readyz} and {@code GET /metrics}.
 *
 * <p>{@code /v1/predict} takes one request as the requests topic does (a JSON example without a label,
 * or the binary layout with {@code Content-Type: application/vnd.streamlearn.example.v1}) and answers
 * the prediction JSON of the predictions topic; or a JSON array of up to {@value #MAX_ROWS} requests,
 * answered by an array of predictions in the same order, all made by one model version.
 */
public final class HttpEndpoint implements AutoCloseable {
    /** Largest request body accepted, in bytes. */
    static final int MAX_BODY_BYTES = 16 * 1024 * 1024;
    /** Most requests in one JSON array. */
    static final int MAX_ROWS = 10_000;
    /** Response header naming the model version that answered. */
    static final String MODEL_VERSION_HEADER = "X-Streamlearn-Model-Version";

    private static final Logger LOG = LoggerFactory.getLogger(HttpEndpoint.class);
    private static final long ANSWER_TIMEOUT_MS = 30_000;
    private static final int THREADS = 4;

    private final String modelName;
    private final ServingModel model;
    private final ServiceHealth health;
    private final HttpBatcher batcher;
    private final CollectorRegistry registry;
    private final ServingMetrics metrics;
    private final HttpServer server;
    private final ExecutorService executor;

    /**
     * Binds {@code config}'s HTTP address (port 0: a free one) and starts answering: predictions through
     * {@code batcher}, health from {@code health}, the serving version from {@code model}, metrics from
     * {@code registry}.
     */
    public HttpEndpoint(ServingConfig config, ServingModel model, ServiceHealth health, HttpBatcher batcher,
            CollectorRegistry registry, ServingMetrics metrics) {
        String host = config.httpHost();
        int port = config.httpPort();
        this.modelName = config.model();
        this.model = model;
        this.health = health;
        this.batcher = batcher;
        this.registry = registry;
        this.metrics = metrics;
        try {
            this.server = HttpServer.create(new InetSocketAddress(host, port), 64);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot bind the serving HTTP endpoint to " + host + ":" + port + ": "
                    + e.getMessage() + "; choose a free port (--http HOST:PORT) or another address", e);
        }
        AtomicInteger n = new AtomicInteger();
        this.executor = Executors.newFixedThreadPool(THREADS, r -> {
            Thread t = new Thread(r, "streamlearn-serving-http-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/v1/predict", handler("/v1/predict", "POST", this::predict));
        server.createContext("/healthz", handler("/healthz", "GET", this::healthz));
        server.createContext("/readyz", handler("/readyz", "GET", this::readyz));
        server.createContext("/metrics", handler("/metrics", "GET", this::metrics));
        server.createContext("/", handler("other", null, ex -> {
            throw new HttpStatusException(404, "no such path " + ex.getRequestURI().getPath()
                    + "; the endpoint serves POST /v1/predict, GET /healthz, GET /readyz and GET /metrics");
        }));
        server.start();
    }

    /** The bound address (with the actual port when 0 was asked for). */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private interface Action {
        void handle(HttpExchange ex) throws IOException;
    }

    private HttpHandler handler(String path, String method, Action action) {
        return ex -> {
            int status;
            try {
                try {
                    String exact = path.equals("other") ? null : path;
                    if (exact != null && !ex.getRequestURI().getPath().equals(exact)) {
                        throw new HttpStatusException(404, "no such path " + ex.getRequestURI().getPath()
                                + "; did you mean " + exact + "?");
                    }
                    if (method != null && !method.equals(ex.getRequestMethod())
                            && !("GET".equals(method) && "HEAD".equals(ex.getRequestMethod()))) {
                        ex.getResponseHeaders().set("Allow", method);
                        throw new HttpStatusException(405, ex.getRequestMethod() + " " + path + " is not supported, "
                                + "use " + method);
                    }
                    action.handle(ex);
                    status = ex.getResponseCode();
                } catch (HttpStatusException e) {
                    status = e.status();
                    error(ex, e.status(), e.getMessage());
                } catch (RuntimeException e) {
                    LOG.error("{} {} failed: {}", ex.getRequestMethod(), ex.getRequestURI(), e.toString(), e);
                    status = 500;
                    error(ex, 500, "internal error: " + e);
                }
            } catch (IOException e) {
                // The client went away: nothing to answer.
                status = 499;
            } finally {
                ex.close();
            }
            metrics.httpRequest(path, status);
        };
    }

    private void predict(HttpExchange ex) throws IOException {
        String contentType = ex.getRequestHeaders().getFirst("Content-Type");
        byte[] body = readBody(ex);
        List<Example> examples = decode(body, contentType);
        List<Prediction> predictions;
        try {
            predictions = batcher.submit(examples).get(ANSWER_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof HttpStatusException s) {
                throw s;
            }
            throw new IllegalStateException("prediction failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new HttpStatusException(504, "no prediction within " + ANSWER_TIMEOUT_MS + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HttpStatusException(503, "the prediction service is shutting down");
        }
        byte[] out;
        if (isArray(body, contentType)) {
            ByteArrayOutputStream buf = new ByteArrayOutputStream(predictions.size() * 128 + 2);
            buf.write('[');
            for (int i = 0; i < predictions.size(); i++) {
                if (i > 0) {
                    buf.write(',');
                }
                buf.write(PredictionJsonCodec.encode(predictions.get(i)));
            }
            buf.write(']');
            out = buf.toByteArray();
        } else {
            out = PredictionJsonCodec.encode(predictions.get(0));
        }
        ex.getResponseHeaders().set(MODEL_VERSION_HEADER, Long.toString(predictions.get(0).version()));
        send(ex, 200, ContentTypes.JSON, out);
    }

    private static List<Example> decode(byte[] body, String contentType) {
        if (body.length == 0) {
            throw new HttpStatusException(400, "empty body: send a JSON request {\"id\":\"r1\",\"features\":[...]} "
                    + "or a JSON array of them");
        }
        try {
            if (!isArray(body, contentType)) {
                return List.of(ExampleCodec.decode(body, contentType));
            }
            JsonNode array = Json.MAPPER.readTree(body);
            if (array.size() == 0 || array.size() > MAX_ROWS) {
                throw new HttpStatusException(400, "a JSON array of " + array.size() + " requests, must hold 1.."
                        + MAX_ROWS);
            }
            List<Example> out = new ArrayList<>(array.size());
            for (int i = 0; i < array.size(); i++) {
                try {
                    out.add(ExampleJsonCodec.decode(Json.MAPPER.writeValueAsBytes(array.get(i))));
                } catch (CodecException e) {
                    throw new HttpStatusException(400, "request " + i + ": " + e.getMessage());
                }
            }
            return out;
        } catch (CodecException e) {
            throw new HttpStatusException(e.getMessage().startsWith("unsupported content-type") ? 415 : 400,
                    e.getMessage());
        } catch (JsonProcessingException e) {
            throw new HttpStatusException(400, "not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean isArray(byte[] body, String contentType) {
        if (contentType != null && !contentType.toLowerCase(java.util.Locale.ROOT).startsWith(ContentTypes.JSON)) {
            return false;
        }
        for (byte b : body) {
            if (!Character.isWhitespace(b)) {
                return b == '[';
            }
        }
        return false;
    }

    private void healthz(HttpExchange ex) throws IOException {
        var failure = health.failure();
        if (failure.isPresent()) {
            throw new HttpStatusException(503, "a service thread stopped: " + failure.get() + "; restart the service");
        }
        send(ex, 200, "text/plain; charset=utf-8", "ok\n".getBytes(StandardCharsets.UTF_8));
    }

    private void readyz(HttpExchange ex) throws IOException {
        String notReady = health.notReadyReason();
        if (notReady != null) {
            throw new HttpStatusException(503, notReady);
        }
        long version = model.currentVersion();
        ex.getResponseHeaders().set(MODEL_VERSION_HEADER, Long.toString(version));
        send(ex, 200, "text/plain; charset=utf-8", ("ready: " + modelName + " v" + version + "\n")
                .getBytes(StandardCharsets.UTF_8));
    }

    private void metrics(HttpExchange ex) throws IOException {
        String type = TextFormat.chooseContentType(ex.getRequestHeaders().getFirst("Accept"));
        ByteArrayOutputStream buf = new ByteArrayOutputStream(8192);
        try (Writer w = new OutputStreamWriter(buf, StandardCharsets.UTF_8)) {
            TextFormat.writeFormat(type, w, registry.metricFamilySamples());
        }
        send(ex, 200, type, buf.toByteArray());
    }

    private static byte[] readBody(HttpExchange ex) throws IOException {
        try (InputStream in = ex.getRequestBody()) {
            byte[] body = in.readNBytes(MAX_BODY_BYTES + 1);
            if (body.length > MAX_BODY_BYTES) {
                throw new HttpStatusException(413, "request body is larger than " + MAX_BODY_BYTES + " bytes; send "
                        + "fewer requests per call");
            }
            return body;
        }
    }

    private static void error(HttpExchange ex, int status, String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", message);
        body.put("status", status);
        try {
            send(ex, status, ContentTypes.JSON, Json.MAPPER.writeValueAsBytes(body));
        } catch (IOException e) {
            // The client went away.
        }
    }

    private static void send(HttpExchange ex, int status, String contentType, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", contentType);
        boolean head = "HEAD".equals(ex.getRequestMethod());
        ex.sendResponseHeaders(status, head ? -1 : body.length);
        if (!head) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
    }
}
