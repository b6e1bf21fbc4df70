package io.streamlearn.ingest.bench;

import static io.streamlearn.core.testkit.BenchStats.medianRange;

import io.streamlearn.core.broker.EmbeddedKafkaBroker;
import io.streamlearn.core.kafka.KafkaClients;
import io.streamlearn.core.kafka.Topics;
import io.streamlearn.ingest.produce.IngestCounts;
import io.streamlearn.ingest.produce.Ingestor;
import io.streamlearn.ingest.source.SourceDefinition;
import io.streamlearn.ingest.source.SourceOptions;
import io.streamlearn.ingest.source.Sources;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * bench/ingest.sh: sends a data set (Fashion-MNIST train by default) with {@link Ingestor} and, on the same
 * embedded broker in the same run, Kafka's own {@code ProducerPerformance} with the same record count, the
 * same value size and the same producer settings; prints one {@code RESULT} line. Rounds alternate the two
 * after one warm-up each; it prints the median of the rounds with their range, the ratio per round. Not a test:
 * surefire never runs it.
 *
 * <p>Arguments: {@code [SOURCE] [ROUNDS]}, default {@code idx:fashion-mnist/train 5}. Needs the {@code bench}
 * Maven profile (kafka-tools) on the class path.
 */
public final class IngestBenchmark {
    private static final Pattern TOTAL = Pattern.compile("^(\\d+) records sent, ([0-9.]+) records/sec.*th\\b.*$",
            Pattern.MULTILINE);

    private IngestBenchmark() {}

    public static void main(String[] args) throws Exception {
        String source = args.length > 0 ? args[0] : "idx:fashion-mnist/train";
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        SourceDefinition data = Sources.resolve(source, SourceOptions.defaults());
        PrintStream log = System.err;
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().build().start()) {
            String bootstrap = broker.bootstrapServers();
            List<Double> ingestRates = new ArrayList<>();
            List<Double> perfRates = new ArrayList<>();
            long records = -1;
            int valueSize = -1;
            for (int round = 0; round <= rounds; round++) {
                String suffix = round == 0 ? "warmup" : Integer.toString(round);
                // Fresh topics each round, one partition, created through Topics so every leader serves first.
                Topics ingestTopics = createTopics(bootstrap, "bench.ingest." + suffix + ".");
                Topics perfTopics = createTopics(bootstrap, "bench.perf." + suffix + ".");
                Ingestor ingestor = Ingestor.builder().setBootstrapServers(bootstrap).setSource(data)
                        .setSchema(data.schemaHint()).setTopic(ingestTopics.examples())
                        .setDeadLetterTopic(ingestTopics.examplesDlq()).optCreateTopics(false).build();
                IngestCounts c = ingestor.run();
                if (c.sent() != c.read()) {
                    throw new IllegalStateException("benchmark data must be valid: " + c);
                }
                records = c.sent();
                valueSize = (int) Math.round((double) c.bytesSent() / c.sent());
                double ingestRate = c.sent() * 1e9 / c.elapsedNanos();
                double perfRate = producerPerformance(perfTopics.examples(), records, valueSize,
                        ingestor.producerConfig());
                log.printf(Locale.ROOT, "round %s: ingest %.0f records/s (%.1f MB/s), ProducerPerformance %.0f records/s"
                        + " (%d records of %d bytes)%n", suffix, ingestRate, c.megabytesPerSecond(), perfRate, records,
                        valueSize);
                if (round > 0) {
                    ingestRates.add(ingestRate);
                    perfRates.add(perfRate);
                }
            }
            List<Double> ratios = new ArrayList<>();
            for (int i = 0; i < ingestRates.size(); i++) {
                ratios.add(ingestRates.get(i) / perfRates.get(i));
            }
            // Each ratio against the reference of its own round: the machine's load moves both together.
            System.out.printf(Locale.ROOT, "RESULT ingest_records_per_s=%s kafka_perf_records_per_s=%s ratio=%s "
                    + "rounds=%d%n", medianRange(ingestRates, "%.0f"), medianRange(perfRates, "%.0f"),
                    medianRange(ratios, "%.2f"), rounds);
        }
    }

    private static Topics createTopics(String bootstrap, String prefix) {
        Topics topics = new Topics(prefix);
        try (Admin admin = KafkaClients.admin(bootstrap, Map.of())) {
            topics.createAll(admin, 1, (short) 1);
        }
        return topics;
    }

    /** Runs org.apache.kafka.tools.ProducerPerformance in this JVM and returns its total records/sec. */
    private static double producerPerformance(String topic, long records, int valueSize, Map<String, String> config)
            throws Exception {
        List<String> args = new ArrayList<>(List.of("--topic", topic, "--num-records", Long.toString(records),
                "--record-size", Integer.toString(valueSize), "--throughput", "-1", "--producer-props"));
        config.forEach((k, v) -> {
            if (!k.equals(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG) && !k.equals(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG)) {
                args.add(k + "=" + v);
            }
        });
        Class<?> perf;
        try {
            perf = Class.forName("org.apache.kafka.tools.ProducerPerformance");
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("ProducerPerformance is not on the class path: run with the Maven profile "
                    + "'bench' (bench/ingest.sh does)", e);
        }
        Method main = perf.getMethod("main", String[].class);
        PrintStream stdout = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            main.invoke(null, (Object) args.toArray(String[]::new));
        } finally {
            System.setOut(stdout);
        }
        String output = captured.toString(StandardCharsets.UTF_8);
        Matcher m = TOTAL.matcher(output);
        String last = null;
        while (m.find()) {
            last = m.group(2);
        }
        if (last == null) {
            throw new IllegalStateException("no total line in ProducerPerformance's output:\n" + output);
        }
        return Double.parseDouble(last);
    }
}
