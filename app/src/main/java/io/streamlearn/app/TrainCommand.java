package io.streamlearn.app;

import io.streamlearn.core.config.CommonSettings;
import io.streamlearn.core.config.Setting;
import io.streamlearn.core.config.SettingValues;
import io.streamlearn.core.config.SettingsDef;
import io.streamlearn.core.config.Type;
import io.streamlearn.core.kafka.KafkaClients;
import io.streamlearn.core.model.ModelSpec;
import io.streamlearn.monitor.flink.FlinkMetricsBridge;
import io.streamlearn.monitor.metrics.MetricsServer;
import io.streamlearn.trainer.job.TrainerConfig;
import io.streamlearn.trainer.job.TrainerJob;
import io.streamlearn.trainer.job.TrainerSettings;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine.Command;

/** {@code streamlearn train}: the trainer job on a Flink MiniCluster in this process. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Run the online trainer job on a local Flink MiniCluster (on a cluster: flink run the "
                + "trainer jar with main class io.streamlearn.trainer.job.TrainerJob).")
public final class TrainCommand extends SettingsCommand {
    static final Setting<Integer> METRICS_PORT = CommonSettings.METRICS_PORT.withDoc("Serve the trainer's Flink "
            + "metrics (named as Flink's Prometheus reporter names them) and JVM metrics on this port for "
            + "Prometheus; 0: off.");
    static final Setting<Duration> DURATION = Setting.of("duration", Type.DURATION)
            .withDoc("Stop after this long (90s, 2m, PT60S; a bare number is seconds); default: until Ctrl-C.");
    /** The trainer's settings and this command's own. */
    static final SettingsDef SETTINGS = SettingsDef.of("train", TrainerSettings.DEF, METRICS_PORT,
            CommonSettings.METRICS_ADDRESS, DURATION);

    public TrainCommand() {
        super(SETTINGS);
    }

    @Override
    int run(SettingValues v) throws Exception {
        ModelSpec modelSpec = SpecResolver.resolve(v.get(TrainerSettings.SPEC));
        TrainerConfig config = TrainerConfig.fromSettings(v, modelSpec);
        try (Admin admin = KafkaClients.admin(config.bootstrapServers(), config.kafkaOverrides())) {
            config.topics().createAll(admin, 4, (short) 1);
        }
        int metricsPort = v.get(METRICS_PORT);
        Duration duration = v.get(DURATION);
        Configuration flink = new Configuration();
        MetricsServer metrics = null;
        if (metricsPort > 0) {
            flink = Configuration.fromMap(FlinkMetricsBridge.reporterSettings());
            metrics = MetricsServer.builder().setRegistry(FlinkMetricsBridge.registry())
                    .optAddress(v.get(CommonSettings.METRICS_ADDRESS), metricsPort).optJvmMetrics(true).build();
            System.out.println("train: metrics at " + metrics.url());
        }
        JobClient job = TrainerJob.runLocal(config, flink);
        System.out.println("train: job " + job.getJobID() + " training " + modelSpec.name() + " from "
                + config.topics().examples() + ", snapshots in " + config.storeRoot());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> cancel(job), "trainer-shutdown"));
        if (duration == null) {
            job.getJobExecutionResult().get();
        } else {
            try {
                job.getJobExecutionResult().get(duration.toMillis(), TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.TimeoutException expected) {
                cancel(job);
            }
        }
        if (metrics != null) {
            metrics.close();
        }
        return 0;
    }

    private static void cancel(JobClient job) {
        try {
            job.cancel().get(30, TimeUnit.SECONDS);
        } catch (Exception ignored) {
            // already finished or cancelled
        }
    }
}
