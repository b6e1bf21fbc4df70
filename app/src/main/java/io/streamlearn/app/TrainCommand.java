package io.streamlearn.app;

import io.streamlearn.core.kafka.KafkaClients;
import io.streamlearn.core.model.ModelSpec;
import io.streamlearn.trainer.job.TrainerConfig;
import io.streamlearn.trainer.job.TrainerJob;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import io.streamlearn.monitor.flink.FlinkMetricsBridge;
import io.streamlearn.monitor.metrics.MetricsServer;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code streamlearn train}: the trainer job on a Flink MiniCluster in this process. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Run the online trainer job on a local Flink MiniCluster (on a cluster: flink run the "
                + "trainer jar with main class io.streamlearn.trainer.job.TrainerJob).")
public final class TrainCommand implements Callable<Integer> {
    @Option(names = "--spec", defaultValue = "mlp", description = "Spec file or ready spec name.")
    String spec;

    @Option(names = "--store", defaultValue = "streamlearn-data/snapshots", description = "Snapshot store directory.")
    Path store;

    @Option(names = "--checkpoint-interval-ms", defaultValue = "5000", description = "Checkpoint (and snapshot) interval.")
    long checkpointIntervalMs;

    @Option(names = "--max-wait-ms", defaultValue = "200", description = "Longest wait for a mini-batch to fill.")
    long maxWaitMs;

    @Option(names = "--holdout", defaultValue = "0.1", description = "Fraction of ids held out from training.")
    double holdout;

    @Option(names = "--device", defaultValue = "auto", description = "auto, cpu, gpu or gpu:N.")
    String device;

    @Option(names = "--init-from", defaultValue = "0",
            description = "Warm-start from this published version when no checkpoint is restored (0: fresh).")
    long initFrom;

    @Option(names = "--gate-margin", defaultValue = "0.05",
            description = "Quality gate: refuse a snapshot whose holdout accuracy is more than this below the "
                    + "published version's on the same recent holdout rows.")
    double gateMargin;

    @Option(names = "--gate-min-holdout", defaultValue = "0",
            description = "Quality gate: refuse a snapshot whose holdout accuracy is below this (default: off).")
    double gateMinHoldout;

    @Option(names = "--drift-detector", defaultValue = "adwin",
            description = "Detector of the prequential error: adwin[:delta=0.002], page-hinkley[:lambda=50,...] or none.")
    String driftDetector;

    @Option(names = "--drift-reaction", defaultValue = "reset-optimizer",
            description = "On drift: none, lr-boost or reset-optimizer.")
    String driftReaction;

    @Option(names = "--metrics-port", defaultValue = "0",
            description = "Serve the trainer's Flink metrics (named as Flink's Prometheus reporter names them) and JVM "
                    + "metrics on this port for Prometheus; 0: off.")
    int metricsPort;

    @Option(names = "--duration", description = "Stop after this long (ISO-8601 like PT60S, or seconds); default: until Ctrl-C.")
    String duration;

    @Mixin
    KafkaOptions kafka;

    @Override
    public Integer call() throws Exception {
        ModelSpec modelSpec = SpecResolver.resolve(spec);
        try (Admin admin = KafkaClients.admin(kafka.bootstrapServers, kafka.overrides())) {
            kafka.topics().createAll(admin, 4, (short) 1);
        }
        TrainerConfig config = TrainerConfig.builder().setBootstrapServers(kafka.bootstrapServers).setSpec(modelSpec)
                .setStoreRoot(store.toAbsolutePath().toString()).optTopicPrefix(kafka.topicPrefix)
                .optCheckpointIntervalMs(checkpointIntervalMs).optMaxWaitMs(maxWaitMs).optHoldoutFraction(holdout)
                .optDevice(device).optKafkaOverrides(kafka.overrides()).optInitFromVersion(initFrom)
                .optGateMargin(gateMargin).optGateMinHoldout(gateMinHoldout).optDriftDetector(driftDetector)
                .optDriftReaction(TrainerConfig.DriftReaction.parse(driftReaction)).build();
        Configuration flink = new Configuration();
        MetricsServer metrics = null;
        if (metricsPort > 0) {
            flink = Configuration.fromMap(FlinkMetricsBridge.reporterSettings());
            metrics = MetricsServer.builder().setRegistry(FlinkMetricsBridge.registry()).optAddress("0.0.0.0", metricsPort)
                    .optJvmMetrics(true).build();
            System.out.println("train: metrics at " + metrics.url());
        }
        JobClient job = TrainerJob.runLocal(config, flink);
        System.out.println("train: job " + job.getJobID() + " training " + modelSpec.name() + " from "
                + kafka.topics().examples() + ", snapshots in " + store.toAbsolutePath());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> cancel(job), "trainer-shutdown"));
        if (duration == null) {
            job.getJobExecutionResult().get();
        } else {
            try {
                job.getJobExecutionResult().get(Durations.parse(duration).toMillis(), TimeUnit.MILLISECONDS);
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
