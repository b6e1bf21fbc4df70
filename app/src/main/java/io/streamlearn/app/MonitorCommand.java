package io.streamlearn.app;

import io.prometheus.client.CollectorRegistry;
import io.streamlearn.core.config.CommonSettings;
import io.streamlearn.core.config.SettingValues;
import io.streamlearn.monitor.metrics.MetricsServer;
import io.streamlearn.monitor.quality.MonitorSettings;
import io.streamlearn.monitor.quality.QualityConfig;
import io.streamlearn.monitor.quality.ServedQualityMonitor;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;

/**
 * {@code streamlearn monitor}: the served-quality monitor as a service. Joins predictions (and shadow predictions)
 * with late labels, exports served accuracy per version and drift, and with {@code --promote}/{@code --rollback}
 * decides which version serves.
 */
@Command(name = "monitor", mixinStandardHelpOptions = true,
        description = "Measure served quality from late labels (feedback topic), per model version; detect drift of "
                + "the served error; optionally promote better challengers and roll worse versions back.")
public final class MonitorCommand extends SettingsCommand {
    public MonitorCommand() {
        super(MonitorSettings.DEF);
    }

    @Override
    int run(SettingValues v) throws Exception {
        QualityConfig config = MonitorSettings.config(v);
        CollectorRegistry registry = CollectorRegistry.defaultRegistry;
        int port = v.get(MonitorSettings.METRICS_PORT);
        CountDownLatch stopped = new CountDownLatch(1);
        try (ServedQualityMonitor monitor = new ServedQualityMonitor(config, registry);
                MetricsServer metrics = port == 0 ? null : MetricsServer.builder().setRegistry(registry)
                        .optAddress(v.get(CommonSettings.METRICS_ADDRESS), port).optJvmMetrics(true).build()) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                monitor.close();
                stopped.countDown();
            }, "monitor-shutdown"));
            monitor.start();
            System.out.println("monitor: joining " + config.topics().predictions() + " and "
                    + config.topics().shadowPredictions() + " with " + config.topics().feedback() + " within "
                    + config.window() + "; " + config.rules() + (metrics == null ? "" : "; metrics at " + metrics.url())
                    + "; Ctrl-C stops");
            // Until Ctrl-C, or until the join thread stops on an error (then exit 1, so a supervisor restarts it).
            while (!stopped.await(1, TimeUnit.SECONDS)) {
                if (monitor.failure().isPresent()) {
                    System.err.println("monitor: stopped: " + monitor.failure().get().getMessage());
                    return 1;
                }
            }
        }
        return 0;
    }
}
