package io.streamlearn.app;

import io.prometheus.client.CollectorRegistry;
import io.streamlearn.monitor.metrics.JvmMetrics;
import io.streamlearn.serving.PredictionService;
import io.streamlearn.serving.ServingConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code streamlearn serve}: answers prediction requests with the newest (or a pinned) model version. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Serve predictions: requests topic in, predictions topic out, following the models topic.")
public final class ServeCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "Model name to serve.")
    String model;

    @Option(names = "--store", defaultValue = "streamlearn-data/snapshots", description = "Snapshot store directory.")
    Path store;

    @Option(names = "--group-id", defaultValue = "streamlearn-serving",
            description = "Consumer group; more instances in the same group scale out.")
    String groupId;

    @Option(names = "--max-batch", defaultValue = "256", description = "Largest micro-batch.")
    int maxBatch;

    @Option(names = "--max-wait-micros", defaultValue = "2000", description = "Longest wait for a micro-batch to fill.")
    long maxWaitMicros;

    @Option(names = "--top-k", defaultValue = "3", description = "Scores per prediction.")
    int topK;

    @Option(names = "--pin-version", defaultValue = "0", description = "Serve only this version (0: follow the newest).")
    long pinVersion;

    @Option(names = "--exactly-once", description = "Answer each request exactly once: predictions, dead letters and "
            + "offsets in one Kafka transaction per micro-batch; read the predictions with isolation.level="
            + "read_committed. Default: at-least-once with an idempotent producer.")
    boolean exactlyOnce;

    @Option(names = "--instance-id", description = "This instance's id in its group (exactly-once: part of its "
            + "transactional.id). Give each instance a stable one, e.g. the pod name (default: random).")
    String instanceId;

    @Option(names = "--transactional-id-prefix", defaultValue = "streamlearn-serving",
            description = "Exactly-once: transactional.id = PREFIX-MODEL-INSTANCE.")
    String transactionalIdPrefix;

    @Option(names = "--transaction-timeout-ms", defaultValue = "60000",
            description = "Exactly-once: transaction.timeout.ms, at most the broker's transaction.max.timeout.ms "
                    + "(900000 by default).")
    int transactionTimeoutMs;

    @Option(names = "--http", paramLabel = "HOST:PORT", description = "Serve HTTP on HOST:PORT: POST /v1/predict, "
            + "GET /healthz, /readyz, /metrics (e.g. 127.0.0.1:8080; port 0 picks a free one). Default: off.")
    String http;

    @Mixin
    KafkaOptions kafka;

    @Override
    public Integer call() throws Exception {
        ServingConfig.Builder builder = ServingConfig.builder().setBootstrapServers(kafka.bootstrapServers).setModel(model)
                .setStoreRoot(store.toAbsolutePath()).optTopics(kafka.topics()).optGroupId(groupId)
                .optMaxBatch(maxBatch).optMaxWaitMicros(maxWaitMicros).optTopK(topK).optPinVersion(pinVersion)
                .optKafkaOverrides(kafka.overrides()).optExactlyOnce(exactlyOnce)
                .optTransactionalIdPrefix(transactionalIdPrefix).optTransactionTimeoutMs(transactionTimeoutMs);
        if (instanceId != null) {
            builder.optInstanceId(instanceId);
        }
        if (http != null) {
            int colon = http.lastIndexOf(':');
            int port;
            try {
                port = colon > 0 ? Integer.parseInt(http.substring(colon + 1)) : -1;
            } catch (NumberFormatException e) {
                port = -1;
            }
            if (port < 0) {
                throw new IllegalArgumentException("--http " + http + ": expected HOST:PORT, e.g. 127.0.0.1:8080");
            }
            builder.optHttpAddress(http.substring(0, colon), port);
        }
        ServingConfig config = builder.build();
        // JVM (hotspot) metrics beside serving's own on /metrics.
        JvmMetrics.register(CollectorRegistry.defaultRegistry);
        PredictionService service = new PredictionService(config, CollectorRegistry.defaultRegistry);
        Runtime.getRuntime().addShutdownHook(new Thread(service::close, "serving-shutdown"));
        service.start();
        System.out.println("serve: " + model + " from " + kafka.topics().requests() + " to "
                + kafka.topics().predictions() + (exactlyOnce ? " (exactly-once, transactional.id "
                        + config.transactionalId() + ")" : " (at-least-once)")
                + service.httpAddress().map(a -> "; HTTP on http://" + a.getHostString() + ":" + a.getPort() + "/")
                        .orElse("") + "; Ctrl-C stops");
        service.awaitClose();
        return service.failure().isPresent() ? 1 : 0;
    }
}
