package io.streamlearn.app;

import io.streamlearn.core.config.CommonSettings;
import io.streamlearn.core.config.SettingValues;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Command;

/** {@code streamlearn demo}: the whole loop embedded in one process for a bounded time. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run the whole loop in this process: an embedded Kafka broker, the trainer on a Flink "
                + "MiniCluster, serving, Fashion-MNIST (or a synthetic stream) with a concept change part-way, "
                + "prediction requests and late labels; show a live view and a summary, then exit. Ctrl-C ends it early.")
public final class DemoCommand extends SettingsCommand {
    public DemoCommand() {
        super(DemoSettings.DEF);
    }

    @Override
    int run(SettingValues v) throws Exception {
        String driftAfter = v.get(DemoSettings.DRIFT_AFTER);
        Duration drift = driftAfter.equalsIgnoreCase("never") ? null : Durations.parse(driftAfter);
        boolean synthetic = v.flag(DemoSettings.SYNTHETIC);
        String report = v.get(DemoSettings.REPORT);
        DemoRun.Settings settings = new DemoRun.Settings(v.get(DemoSettings.DURATION), v.get(DemoSettings.RATE),
                v.get(DemoSettings.REQUEST_RATE), synthetic ? null : v.get(DemoSettings.DATA),
                v.get(DemoSettings.FEATURE_COUNT), v.get(DemoSettings.CLASSES), v.get(DemoSettings.CLASS_SEP),
                v.get(DemoSettings.SEED), v.get(DemoSettings.SPEC), v.get(CommonSettings.DEVICE),
                v.get(DemoSettings.CHECKPOINT_INTERVAL_MS), drift, v.get(DemoSettings.STORE),
                report.equalsIgnoreCase("none") ? null : Path.of(report));
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
