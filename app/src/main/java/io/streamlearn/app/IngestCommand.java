package io.streamlearn.app;

import io.streamlearn.ingest.produce.ExampleProducer;
import io.streamlearn.ingest.source.ExampleSource;
import io.streamlearn.ingest.source.SyntheticClassification;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code streamlearn ingest}: puts examples from a source onto the examples topic. */
@Command(name = "ingest", mixinStandardHelpOptions = true,
        description = "Produce examples from a source onto the examples topic.")
public final class IngestCommand implements Callable<Integer> {
    @Option(names = "--source", defaultValue = "synthetic:classification",
            description = "KIND:NAME-or-PATH. Available: synthetic:classification (default: ${DEFAULT-VALUE}).")
    String source;

    @Option(names = "--features", defaultValue = "20", description = "Synthetic: feature count.")
    int features;

    @Option(names = "--classes", defaultValue = "4", description = "Synthetic: class count.")
    int classes;

    @Option(names = "--class-sep", defaultValue = "2.0", description = "Synthetic: class separation.")
    double classSep;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of the synthetic concept and samples.")
    long seed;

    @Option(names = "--limit", defaultValue = "10000", description = "Examples to send.")
    long limit;

    @Option(names = "--rate", defaultValue = "0", description = "Examples per second; 0 = as fast as possible.")
    double rate;

    @Option(names = "--format", defaultValue = "BINARY", description = "Wire format: ${COMPLETION-CANDIDATES}.")
    ExampleProducer.Format format;

    @Option(names = "--topic", description = "Topic to write (default: the examples topic).")
    String topic;

    @Mixin
    KafkaOptions kafka;

    @Override
    public Integer call() {
        ExampleSource src = SourceFactory.open(source, features, classes, classSep, seed, limit);
        String target = topic == null ? kafka.topics().examples() : topic;
        long start = System.nanoTime();
        long sent;
        try (ExampleProducer producer = new ExampleProducer(kafka.bootstrapServers, target, format, kafka.overrides())) {
            sent = producer.sendAll(src, rate);
        }
        double secs = (System.nanoTime() - start) / 1e9;
        System.out.printf("ingest: sent %d examples to %s in %.1f s (%.0f/s)%n", sent, target, secs, sent / secs);
        return 0;
    }

    /** Opens a source by its {@code KIND:NAME} string. */
    static final class SourceFactory {
        private SourceFactory() {}

        static ExampleSource open(String spec, int features, int classes, double classSep, long seed, long limit) {
            String[] parts = spec.split(":", 2);
            if (parts.length == 2 && parts[0].equals("synthetic") && parts[1].equals("classification")) {
                return new SyntheticClassification(features, classes, classSep, seed, limit, "syn-" + seed + "-");
            }
            throw new IllegalArgumentException("unknown --source '" + spec + "'; available: synthetic:classification");
        }
    }
}
