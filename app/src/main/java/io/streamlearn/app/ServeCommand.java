package io.streamlearn.app;

import io.prometheus.client.CollectorRegistry;
import io.streamlearn.core.config.SettingsDef;
import io.streamlearn.monitor.metrics.JvmMetrics;
import io.streamlearn.serving.PredictionService;
import io.streamlearn.serving.ServingConfig;
import io.streamlearn.serving.ServingSettings;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code streamlearn serve}: answers prediction requests with the newest (or a pinned) model version. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Serve predictions: requests topic in, predictions topic out, following the models topic.")
public final class ServeCommand implements Callable<Integer>, CliSettings.Configured {
    @Spec
    CommandSpec command;

    @Override
    public SettingsDef settings() {
        return ServingSettings.DEF;
    }

    @Override
    public Integer call() throws Exception {
        ServingConfig config = ServingConfig.fromSettings(CliSettings.read(command)).build();
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
