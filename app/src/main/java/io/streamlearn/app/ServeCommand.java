package io.streamlearn.app;

import io.prometheus.client.CollectorRegistry;
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
            description = "Consumer group; more instances in the same group scale out (default: ${DEFAULT-VALUE}).")
    String groupId;

    @Option(names = "--max-batch", defaultValue = "256", description = "Largest micro-batch.")
    int maxBatch;

    @Option(names = "--max-wait-micros", defaultValue = "2000", description = "Longest wait for a micro-batch to fill.")
    long maxWaitMicros;

    @Option(names = "--top-k", defaultValue = "3", description = "Scores per prediction.")
    int topK;

    @Option(names = "--pin-version", defaultValue = "0", description = "Serve only this version (0: follow the newest).")
    long pinVersion;

    @Mixin
    KafkaOptions kafka;

    @Override
    public Integer call() throws Exception {
        ServingConfig config = ServingConfig.builder().setBootstrapServers(kafka.bootstrapServers).setModel(model)
                .setStoreRoot(store.toAbsolutePath()).optTopics(kafka.topics()).optGroupId(groupId)
                .optMaxBatch(maxBatch).optMaxWaitMicros(maxWaitMicros).optTopK(topK).optPinVersion(pinVersion)
                .optKafkaOverrides(kafka.overrides()).build();
        PredictionService service = new PredictionService(config, CollectorRegistry.defaultRegistry);
        Runtime.getRuntime().addShutdownHook(new Thread(service::close, "serving-shutdown"));
        service.start();
        System.out.println("serve: " + model + " from " + kafka.topics().requests() + " to "
                + kafka.topics().predictions() + "; Ctrl-C stops");
        service.awaitClose();
        return service.failure().isPresent() ? 1 : 0;
    }
}
