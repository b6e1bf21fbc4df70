package io.streamlearn.app;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code streamlearn demo}: the whole loop embedded in one process for a bounded time. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run the whole loop in this process: an embedded Kafka broker, the trainer on a Flink "
                + "MiniCluster, serving, a synthetic example stream and prediction requests; print progress and a "
                + "summary, then exit.")
public final class DemoCommand implements Callable<Integer> {
    @Option(names = "--duration", defaultValue = "60s", description = "How long to run (default: ${DEFAULT-VALUE}).")
    String duration;

    @Option(names = "--rate", defaultValue = "2000", description = "Training examples per second.")
    double rate;

    @Option(names = "--request-rate", defaultValue = "200", description = "Prediction requests per second.")
    double requestRate;

    @Option(names = "--features", defaultValue = "20", description = "Features of the synthetic stream.")
    int features;

    @Option(names = "--classes", defaultValue = "4", description = "Classes of the synthetic stream.")
    int classes;

    @Option(names = "--class-sep", defaultValue = "3.0",
            description = "Separation of the synthetic classes; 3 is separable (default: ${DEFAULT-VALUE}).")
    double classSep;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of the synthetic stream and the model.")
    long seed;

    @Option(names = "--device", defaultValue = "auto", description = "auto, cpu, gpu or gpu:N.")
    String device;

    @Option(names = "--checkpoint-interval-ms", defaultValue = "2000", description = "Checkpoint and snapshot interval.")
    long checkpointIntervalMs;

    @Option(names = "--store", description = "Snapshot store directory (default: a temporary one, deleted at exit).")
    Path store;

    @Override
    public Integer call() throws Exception {
        DemoRun.Settings settings = new DemoRun.Settings(Durations.parse(duration), rate, requestRate, features,
                classes, classSep, seed, device, checkpointIntervalMs, store);
        DemoRun.Summary summary = new DemoRun(settings, System.out).run();
        System.out.println(summary.line());
        return summary.ok() ? 0 : 1;
    }
}
