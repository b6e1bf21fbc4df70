package io.streamlearn.app;

import io.prometheus.client.CollectorRegistry;
import io.streamlearn.core.config.SettingValues;
import io.streamlearn.monitor.metrics.JvmMetrics;
import io.streamlearn.serving.PredictionService;
import io.streamlearn.serving.ServingConfig;
import io.streamlearn.serving.ServingSettings;
import picocli.CommandLine.Command;

/** {@code streamlearn serve}: answers prediction requests with the newest (or a pinned) model version. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Serve predictions: requests topic in, predictions topic out, following the models topic.")
public final class ServeCommand extends SettingsCommand {
    public ServeCommand() {
        super(ServingSettings.DEF);
    }

    @Override
    int run(SettingValues v) throws Exception {
        ServingConfig config = ServingConfig.fromSettings(v).build();
        // JVM (hotspot) metrics beside serving's own on /metrics.
        JvmMetrics.register(CollectorRegistry.defaultRegistry);
        PredictionService service = new PredictionService(config, CollectorRegistry.defaultRegistry);
        Runtime.getRuntime().addShutdownHook(new Thread(service::close, "serving-shutdown"));
        service.start();
        System.out.println("serve: " + config.model() + " from " + config.topics().requests() + " to "
                + config.topics().predictions() + (config.exactlyOnce() ? " (exactly-once, transactional.id "
                        + config.transactionalId() + ")" : " (at-least-once)")
                + service.httpAddress().map(a -> "; HTTP on http://" + a.getHostString() + ":" + a.getPort() + "/")
                        .orElse("") + "; Ctrl-C stops");
        service.awaitClose();
        return service.failure().isPresent() ? 1 : 0;
    }
}
