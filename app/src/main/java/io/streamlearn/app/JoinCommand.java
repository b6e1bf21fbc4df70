package io.streamlearn.app;

import io.prometheus.client.Collector;
import io.prometheus.client.CollectorRegistry;
import io.streamlearn.core.config.CommonSettings;
import io.streamlearn.core.config.Setting;
import io.streamlearn.core.config.SettingValues;
import io.streamlearn.core.config.SettingsDef;
import io.streamlearn.core.kafka.KafkaClients;
import io.streamlearn.monitor.flink.FlinkMetricsBridge;
import io.streamlearn.monitor.metrics.MetricsServer;
import io.streamlearn.trainer.join.JoinConfig;
import io.streamlearn.trainer.join.JoinJob;
import io.streamlearn.trainer.join.JoinSettings;
import io.streamlearn.trainer.join.JoinTally;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine.Command;

/** {@code streamlearn join}: the label join job on a Flink MiniCluster in this process; prints its tally at the end. */
@Command(name = "join", mixinStandardHelpOptions = true,
        description = "Join served requests with their late labels from the feedback topic by id and write the "
                + "joined examples to the examples topic exactly once, on a local Flink MiniCluster (on a cluster: "
                + "flink run the trainer jar with main class io.streamlearn.trainer.join.JoinJob).")
public final class JoinCommand extends SettingsCommand {
    static final Setting<Integer> METRICS_PORT = CommonSettings.METRICS_PORT.withDoc("Serve the join's Flink metrics "
            + "(flink_taskmanager_job_task_operator_streamlearn_join_labels_joined, _late, _unmatched, _duplicate, "
            + "_contradictory, _received, _waiting, ...) and JVM metrics on this port for Prometheus; 0: off.");
    /** The join's settings and this command's own. */
    static final SettingsDef SETTINGS = SettingsDef.of("join", JoinSettings.DEF, METRICS_PORT,
            CommonSettings.METRICS_ADDRESS, TrainCommand.DURATION);
    private static final String METRIC_PREFIX = "flink_taskmanager_job_task_operator_streamlearn_";

    public JoinCommand() {
        super(SETTINGS);
    }

    @Override
    int run(SettingValues v) throws Exception {
        JoinConfig config = JoinConfig.fromSettings(v);
        try (Admin admin = KafkaClients.admin(config.bootstrapServers(), config.kafkaOverrides())) {
            config.topics().createAll(admin, 4, (short) 1);
        }
        MetricsServer metrics = null;
        if (v.get(METRICS_PORT) > 0) {
            metrics = MetricsServer.builder().setRegistry(FlinkMetricsBridge.registry())
                    .optAddress(v.get(CommonSettings.METRICS_ADDRESS), v.get(METRICS_PORT)).optJvmMetrics(true).build();
            System.out.println("join: metrics at " + metrics.url());
        }
        // Always through the bridge: the tally printed at the end is read from the job's own gauges.
        JobClient job = JoinJob.runLocal(config, Configuration.fromMap(FlinkMetricsBridge.reporterSettings()),
                UnaryOperator.identity());
        System.out.println("join: job " + job.getJobID() + " joins " + config.topics().requests() + " with labels from "
                + config.topics().feedback() + " within " + config.windowMs() + " ms into "
                + config.topics().examples() + "; labels not joined go to " + config.topics().feedbackDlq());
        AtomicBoolean stopped = new AtomicBoolean();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(job, stopped), "join-shutdown"));
        Duration duration = v.get(TrainCommand.DURATION);
        try {
            if (duration == null) {
                job.getJobExecutionResult().get();
            } else {
                job.getJobExecutionResult().get(duration.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (java.util.concurrent.TimeoutException expected) {
            stop(job, stopped);
        } finally {
            if (metrics != null) {
                metrics.close();
            }
        }
        return 0;
    }

    /** Prints the tally (once: Ctrl-C and the end of --duration both come here) and cancels the job. */
    private static void stop(JobClient job, AtomicBoolean stopped) {
        if (!stopped.compareAndSet(false, true)) {
            return;
        }
        System.out.println("join: " + tally(FlinkMetricsBridge.registry()).summary());
        try {
            job.cancel().get(30, TimeUnit.SECONDS);
        } catch (Exception ignored) {
            // already finished or cancelled
        }
    }

    /** The join job's tally as its gauges in {@code registry} say it now, summed over subtasks. */
    public static JoinTally tally(CollectorRegistry registry) {
        Map<String, Double> sums = new HashMap<>();
        for (Collector.MetricFamilySamples family : java.util.Collections.list(registry.metricFamilySamples())) {
            for (Collector.MetricFamilySamples.Sample s : family.samples) {
                int job = s.labelNames.indexOf("job_name");
                if (s.name.startsWith(METRIC_PREFIX) && job >= 0 && s.labelValues.get(job).equals(JoinJob.NAME)) {
                    sums.merge(s.name.substring(METRIC_PREFIX.length()), s.value, Double::sum);
                }
            }
        }
        return JoinTally.fromMetrics(name -> Math.round(sums.getOrDefault(name, 0.0)));
    }
}
