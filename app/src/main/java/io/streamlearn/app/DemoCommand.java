package io.streamlearn.app;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code streamlearn demo}: the whole loop embedded in one process for a bounded time. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run the whole loop in this process: an embedded Kafka broker, the trainer on a Flink "
                + "MiniCluster, serving, Fashion-MNIST (or a synthetic stream) with a concept change part-way, "
                + "prediction requests and late labels; show a live view and a summary, then exit. Ctrl-C ends it early.")
public final class DemoCommand implements Callable<Integer> {
    @Option(names = "--duration", defaultValue = "90s", description = "How long to run.")
    String duration;

    @Option(names = "--data", defaultValue = "/usr/share/datasets/fashion-mnist",
            description = "Fashion-MNIST directory; if absent, a synthetic stream.")
    Path data;

    @Option(names = "--synthetic", description = "Use the synthetic stream even when Fashion-MNIST is installed.")
    boolean synthetic;

    @Option(names = "--spec", description = "Spec file or ready spec name (default: mlp for Fashion-MNIST, a small "
            + "MLP for the synthetic stream).")
    String spec;

    @Option(names = "--drift-after", defaultValue = "60s",
            description = "When the concept changes (labels permuted); 'never' for no change.")
    String driftAfter;

    @Option(names = "--rate", defaultValue = "4000", description = "Examples per second on the stream.")
    double rate;

    @Option(names = "--request-rate", defaultValue = "200", description = "Of those, prediction requests per second.")
    double requestRate;

    @Option(names = "--features", defaultValue = "20", description = "Features of the synthetic stream.")
    int features;

    @Option(names = "--classes", defaultValue = "4", description = "Classes of the synthetic stream.")
    int classes;

    @Option(names = "--class-sep", defaultValue = "3.0",
            description = "Separation of the synthetic classes; 3 is separable.")
    double classSep;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of the stream, the concept change and the model.")
    long seed;

    @Option(names = "--device", defaultValue = "auto", description = "auto, cpu, gpu or gpu:N.")
    String device;

    @Option(names = "--checkpoint-interval-ms", defaultValue = "2000", description = "Checkpoint and snapshot interval.")
    long checkpointIntervalMs;

    @Option(names = "--store", description = "Snapshot store directory (default: a temporary one, deleted at exit).")
    Path store;

    @Option(names = "--report", defaultValue = "streamlearn-report",
            description = "Directory of the learning-curve report written at the end; "
                    + "'none' for no report.")
    String report;

    @Override
    public Integer call() throws Exception {
        Duration drift = driftAfter.equalsIgnoreCase("never") ? null : Durations.parse(driftAfter);
        DemoRun.Settings settings = new DemoRun.Settings(Durations.parse(duration), rate, requestRate,
                synthetic ? null : data, features, classes, classSep, seed, spec, device, checkpointIntervalMs, drift,
                store, report.equalsIgnoreCase("none") ? null : Path.of(report));
        DemoRun run = new DemoRun(settings, System.out, System.console() != null);
        Thread main = Thread.currentThread();
        Thread onCtrlC = new Thread(main::interrupt, "demo-ctrl-c");
        Runtime.getRuntime().addShutdownHook(onCtrlC);
        DemoRun.Summary summary = run.run();
        System.out.println(summary.line());
        try {
            Runtime.getRuntime().removeShutdownHook(onCtrlC);
        } catch (IllegalStateException shuttingDown) {
            // Ctrl-C: the JVM is exiting after this summary.
        }
        return summary.ok() ? 0 : 1;
    }
}
