package io.streamlearn.app;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code streamlearn} command. */
@Command(name = "streamlearn", mixinStandardHelpOptions = true, version = "streamlearn 0.1.0",
        description = "Streaming learning on Kafka and Flink: examples in, continuously trained models, "
                + "predictions out.",
        subcommands = {DemoCommand.class, BrokerCommand.class, IngestCommand.class, TrainCommand.class,
                ServeCommand.class, MonitorCommand.class, JoinCommand.class,
                ModelsCommand.class, ReportCommand.class, CommandLine.HelpCommand.class})
public final class StreamlearnCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    private static void showDefaults(CommandLine cl) {
        cl.getCommandSpec().usageMessage().showDefaultValues(true);
        cl.getSubcommands().values().forEach(StreamlearnCommand::showDefaults);
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line, shared by {@link #main} and tests. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new StreamlearnCommand());
        // The subcommands' options come from their settings definitions, never from @Option fields.
        CliSettings.install(cl);
        // Every option's default in --help (picocli skips those whose text already shows it).
        showDefaults(cl);
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            commandLine.getErr().println("streamlearn " + commandLine.getCommandName() + ": " + ex.getMessage());
            if (System.getenv("STREAMLEARN_DEBUG") != null) {
                ex.printStackTrace(commandLine.getErr());
            }
            return 1;
        });
        return cl;
    }
}
