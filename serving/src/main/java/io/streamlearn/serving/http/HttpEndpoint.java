package io.streamlearn.serving.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.exporter.common.TextFormat;
import io.streamlearn.core.example.ContentTypes;
import io.streamlearn.core.example.Example;
import io.streamlearn.core.example.Json;
import io.streamlearn.serving.ServiceHealth;
import io.streamlearn.serving.ServingConfig;
import io.streamlearn.serving.ServingMetrics;
import io.streamlearn.serving.model.ServingModel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.io.EofException;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP endpoint of a prediction service on Jetty: {@code POST /v1/predict}, {@code GET /healthz},
 * {@code GET /readyz} and {@code GET /metrics}, optionally behind a bearer token and TLS ({@link HttpOptions}).
 *
 * <p>{@code /v1/predict} takes one request as the requests topic does (a JSON example without a label,
 * or the binary layout with {@code Content-Type: application/vnd.streamlearn.example.v1}) and answers
 * the prediction JSON of the predictions topic; or a JSON array of up to {@value #MAX_ROWS} requests,
 * answered by an array of predictions in the same order, all made by one model version.
 *
 * <p>Why Jetty and not the JDK's {@code HttpServer}: the JDK server parses headers and reads bodies on its handler
 * threads, and its only time bounds ({@code sun.net.httpserver.maxReqTime}) are JVM-global and in whole seconds,
 * so a handful of clients that send headers and stall hold every thread. Jetty reads without holding a thread,
 * closes a connection idle for {@value #IDLE_TIMEOUT_MS} ms, and here reads bodies asynchronously, so stalled
 * clients cost a socket each, never a thread.
 */
public final class HttpEndpoint implements AutoCloseable {
    /** Largest request body accepted, in bytes. */
    static final int MAX_BODY_BYTES = 16 * 1024 * 1024;
    /** Most requests in one JSON array. */
    static final int MAX_ROWS = 10_000;
    /** Response header naming the model version that answered. */
    static final String MODEL_VERSION_HEADER = "X-Streamlearn-Model-Version";
    /**
     * Predict calls admitted at once (reading, queued or in a forward pass); the next is answered 503 with
     * {@code Retry-After} at once. Bounds memory: at most this many bodies (16 MiB each at worst) are held.
     */
    static final int MAX_IN_FLIGHT = 256;
    /** A connection that sends or accepts nothing for this long is closed (a stalled client, a dead peer). */
    static final long IDLE_TIMEOUT_MS = 30_000;
    /** Seconds a client told 503 should wait before retrying. */
    static final String RETRY_AFTER_SECONDS = "1";

    private static final Logger LOG = LoggerFactory.getLogger(HttpEndpoint.class);
    private static final long ANSWER_TIMEOUT_MS = 30_000;
    // Handlers never block (bodies are read asynchronously), so a few threads serve many connections. Jetty's task
    // queue stays unbounded (it warns that a bounded one drops its own I/O tasks): what bounds a flood is
    // MAX_IN_FLIGHT, which answers 503 before a body is read, and the batcher's bounded queue.
    private static final int MAX_THREADS = 16;
    private static final String INTERNAL_ERROR = "internal error; the server log has the details";

    private final String modelName;
    private final ServingModel model;
    private final ServiceHealth health;
    private final HttpBatcher batcher;
    private final CollectorRegistry registry;
    private final ServingMetrics metrics;
    private final byte[] token;
    private final boolean openHealth;
    private final Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);
    private final Server server;
    private final ServerConnector connector;

    /**
     * Binds {@code config}'s HTTP address (port 0: a free one) and starts answering: predictions through
     * {@code batcher}, health from {@code health}, the serving version from {@code model}, metrics from
     * {@code registry}.
     */
    public HttpEndpoint(ServingConfig config, ServingModel model, ServiceHealth health, HttpBatcher batcher,
            CollectorRegistry registry, ServingMetrics metrics) {
        String host = config.httpHost();
        int port = config.httpPort();
        HttpOptions options = config.httpOptions();
        this.modelName = config.model();
        this.model = model;
        this.health = health;
        this.batcher = batcher;
        this.registry = registry;
        this.metrics = metrics;
        this.token = options.token();
        this.openHealth = options.openHealth();
        QueuedThreadPool pool = new QueuedThreadPool(MAX_THREADS, 4, 60_000);
        pool.setName("streamlearn-serving-http");
        pool.setDaemon(true);
        this.server = new Server(pool);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setIdleTimeout(IDLE_TIMEOUT_MS);
        if (options.tls()) {
            // The host of a request need not match the certificate's name: clients check that, not the server.
            http.addCustomizer(new SecureRequestCustomizer(false));
            SslContextFactory.Server tls = new SslContextFactory.Server();
            tls.setKeyStorePath(options.keystore().toAbsolutePath().toString());
            tls.setKeyStoreType("PKCS12");
            tls.setKeyStorePassword(new String(options.keystorePassword()));
            this.connector = new ServerConnector(server, tls, new HttpConnectionFactory(http));
        } else {
            this.connector = new ServerConnector(server, new HttpConnectionFactory(http));
        }
        connector.setHost(host);
        connector.setPort(port);
        connector.setIdleTimeout(IDLE_TIMEOUT_MS);
        server.addConnector(connector);
        ErrorHandler errors = new ErrorHandler();
        errors.setShowStacks(false);
        errors.setShowCauses(false);
        server.setErrorHandler(errors);
        server.setHandler(new Routes());
        try {
            server.start();
        } catch (Exception e) {
            close();
            throw new UncheckedIOException("cannot start the serving HTTP endpoint on " + host + ":" + port + ": "
                    + e.getMessage() + "; choose a free port (--http HOST:PORT) or another address, and check the "
                    + "keystore (--http-keystore) if TLS is on", e instanceof IOException io ? io : new IOException(e));
        }
    }

    /** The bound address (with the actual port when 0 was asked for). */
    public InetSocketAddress address() {
        return new InetSocketAddress(connector.getHost(), connector.getLocalPort());
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            LOG.warn("stopping the HTTP endpoint: {}", e.toString());
        }
    }

    /** One request and its answer; the route is the metrics label, so never the raw path. */
    private final class Exchange {
        final Request request;
        final Response response;
        final Callback callback;
        final String route;

        Exchange(Request request, Response response, Callback callback, String route) {
            this.request = request;
            this.response = response;
            this.callback = callback;
            this.route = route;
        }

        void send(int status, String contentType, byte[] body) {
            response.setStatus(status);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
            boolean head = "HEAD".equals(request.getMethod());
            response.write(true, ByteBuffer.wrap(head ? new byte[0] : body), Callback.from(() -> {
                metrics.httpRequest(route, status);
                callback.succeeded();
            }, failure -> {
                // The client went away: nothing to answer.
                metrics.httpRequest(route, 499);
                callback.failed(failure);
            }));
        }

        void fail(Throwable failure) {
            Throwable t = failure;
            while (t instanceof CompletionException && t.getCause() != null) {
                t = t.getCause();
            }
            if (t instanceof HttpStatusException s) {
                error(s.status(), s.getMessage());
            } else if (t instanceof TimeoutException) {
                error(504, "no prediction within " + ANSWER_TIMEOUT_MS + " ms; retry, or add serving instances");
            } else if (t instanceof EofException || t instanceof IOException) {
                metrics.httpRequest(route, 499);
                callback.failed(t);
            } else {
                LOG.error("{} {} failed: {}", request.getMethod(), request.getHttpURI().getPath(), t.toString(), t);
                error(500, INTERNAL_ERROR);
            }
        }

        void error(int status, String message) {
            if (status == 503) {
                response.getHeaders().put(HttpHeader.RETRY_AFTER, RETRY_AFTER_SECONDS);
            }
            send(status, ContentTypes.JSON, errorBody(status, message));
        }
    }

    /** The error body: the problem in words, never an exception's class or stack. */
    static byte[] errorBody(int status, String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", message);
        body.put("status", status);
        try {
            return Json.MAPPER.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private final class Routes extends Handler.Abstract {
        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            String path = Request.getPathInContext(request);
            String method = switch (path) {
                case "/v1/predict" -> "POST";
                case "/healthz", "/readyz", "/metrics" -> "GET";
                default -> null;
            };
            Exchange ex = new Exchange(request, response, callback, method == null ? "other" : path);
            try {
                if (method == null) {
                    throw new HttpStatusException(404, "no such path " + path + "; the endpoint serves POST "
                            + "/v1/predict, GET /healthz, GET /readyz and GET /metrics");
                }
                if (!method.equals(request.getMethod())
                        && !("GET".equals(method) && "HEAD".equals(request.getMethod()))) {
                    response.getHeaders().put(HttpHeader.ALLOW, method);
                    throw new HttpStatusException(405, request.getMethod() + " " + path + " is not supported, use "
                            + method);
                }
                if (!(openHealth && (path.equals("/healthz") || path.equals("/readyz")))) {
                    authorize(request, response);
                }
                switch (path) {
                    case "/v1/predict" -> predict(ex);
                    case "/healthz" -> healthz(ex);
                    case "/readyz" -> readyz(ex);
                    default -> metrics(ex);
                }
            } catch (RuntimeException e) {
                ex.fail(e);
            }
            return true;
        }
    }

    private void authorize(Request request, Response response) {
        if (token == null) {
            return;
        }
        String header = request.getHeaders().get(HttpHeader.AUTHORIZATION);
        if (header == null || header.length() <= 7 || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, header == null ? "Bearer realm=\"streamlearn\""
                    : "Bearer realm=\"streamlearn\", error=\"invalid_request\"");
            throw new HttpStatusException(401, header == null
                    ? "authentication required: send the header Authorization: Bearer <token>"
                    : "malformed Authorization header: expected Authorization: Bearer <token>");
        }
        // Constant time: how much of a guess matches must not show in the answer's timing.
        byte[] presented = header.substring(7).trim().getBytes(StandardCharsets.US_ASCII);
        if (!MessageDigest.isEqual(token, presented)) {
            throw new HttpStatusException(403, "the bearer token is not accepted");
        }
    }

    private void predict(Exchange ex) {
        long length = ex.request.getLength();
        if (length > MAX_BODY_BYTES) {
            // Refused from the header alone: the body is never read.
            throw tooLarge(length + " bytes");
        }
        if (!inFlight.tryAcquire()) {
            throw new HttpStatusException(503, MAX_IN_FLIGHT + " predict calls are already in progress; retry after "
                    + RETRY_AFTER_SECONDS + " s, or add serving instances");
        }
        String contentType = ex.request.getHeaders().get(HttpHeader.CONTENT_TYPE);
        CompletableFuture<byte[]> body;
        try {
            // Read without a thread; a chunked body is refused as soon as it passes the limit.
            body = Content.Source.asByteArrayAsync(ex.request, MAX_BODY_BYTES);
        } catch (RuntimeException e) {
            inFlight.release();
            throw e;
        }
        body.exceptionally(failure -> {
            // Jetty fails the read with an IOException when the client goes away, otherwise for the size limit.
            throw failure instanceof IOException || failure.getCause() instanceof IOException
                    ? new CompletionException(failure) : tooLarge("over " + MAX_BODY_BYTES + " bytes");
        }).thenCompose(bytes -> {
            List<Example> examples = PredictBodies.decode(bytes, contentType);
            return batcher.submit(examples)
                    .thenApply(predictions -> PredictBodies.answer(bytes, contentType, predictions));
        }).orTimeout(ANSWER_TIMEOUT_MS, TimeUnit.MILLISECONDS).whenComplete((answer, failure) -> {
            inFlight.release();
            if (failure != null) {
                ex.fail(failure);
            } else {
                ex.response.getHeaders().put(MODEL_VERSION_HEADER, Long.toString(answer.version()));
                ex.send(200, ContentTypes.JSON, answer.json());
            }
        });
    }

    private static HttpStatusException tooLarge(String size) {
        return new HttpStatusException(413, "request body is " + size + ", larger than " + MAX_BODY_BYTES
                + " bytes; send fewer requests per call");
    }

    private void healthz(Exchange ex) {
        if (health.failure().isPresent()) {
            throw new HttpStatusException(503, "a service thread stopped (the server log has the cause); restart "
                    + "the service");
        }
        ex.send(200, "text/plain; charset=utf-8", "ok\n".getBytes(StandardCharsets.UTF_8));
    }

    private void readyz(Exchange ex) {
        if (health.failure().isPresent()) {
            healthz(ex);
            return;
        }
        String notReady = health.notReadyReason();
        if (notReady != null) {
            throw new HttpStatusException(503, notReady);
        }
        long version = model.currentVersion();
        ex.response.getHeaders().put(MODEL_VERSION_HEADER, Long.toString(version));
        long challenger = model.challengerVersion();
        // The challenger is named so a probe or an operator sees both versions; /v1/predict answers by the champion.
        String both = challenger == 0 ? "" : ", challenger v" + challenger + " ("
                + model.challengerRule().routing().settingName() + ")";
        ex.send(200, "text/plain; charset=utf-8", ("ready: " + modelName + " v" + version + both + "\n")
                .getBytes(StandardCharsets.UTF_8));
    }

    private void metrics(Exchange ex) {
        String type = TextFormat.chooseContentType(ex.request.getHeaders().get(HttpHeader.ACCEPT));
        ByteArrayOutputStream buf = new ByteArrayOutputStream(8192);
        try (Writer w = new OutputStreamWriter(buf, StandardCharsets.UTF_8)) {
            TextFormat.writeFormat(type, w, registry.metricFamilySamples());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ex.send(200, type, buf.toByteArray());
    }
}
