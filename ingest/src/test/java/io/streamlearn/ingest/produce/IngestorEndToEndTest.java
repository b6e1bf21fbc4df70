package io.streamlearn.ingest.produce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prometheus.client.CollectorRegistry;
import io.streamlearn.core.example.ContentTypes;
import io.streamlearn.core.example.DeadLetterHeaders;
import io.streamlearn.core.example.Example;
import io.streamlearn.core.example.ExampleCodec;
import io.streamlearn.core.example.ExampleSchema;
import io.streamlearn.core.example.FeatureType;
import io.streamlearn.core.example.Features;
import io.streamlearn.core.testkit.KafkaBrokerExtension;
import io.streamlearn.core.testkit.Prerequisites;
import io.streamlearn.ingest.report.IngestMetrics;
import io.streamlearn.ingest.report.IngestSamples;
import io.streamlearn.ingest.source.IdxFiles;
import io.streamlearn.ingest.source.IdxSource;
import io.streamlearn.ingest.source.SourceDefinition;
import io.streamlearn.ingest.source.SourceOptions;
import io.streamlearn.ingest.source.Sources;
import io.streamlearn.ingest.validate.RejectReason;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class IngestorEndToEndTest {
    @RegisterExtension
    static final KafkaBrokerExtension kafka = KafkaBrokerExtension.perClass();

    @TempDir
    Path dir;

    private static Ingestor.Builder ingest(SourceDefinition source, ExampleSchema schema, String topic) {
        return Ingestor.builder().setBootstrapServers(kafka.bootstrapServers()).setSource(source).setSchema(schema)
                .setTopic(topic).setDeadLetterTopic(topic + ".dlq").optTimeout(Duration.ofSeconds(20));
    }

    private static ExampleSchema schema(int features, FeatureType dtype, int classes) {
        return new ExampleSchema(features, dtype, classes, ExampleSchema.DEFAULT_MAX_RECORD_BYTES);
    }

    @Test
    void sendsEveryGeneratorsExamplesKeyedByIdWithTheirContentType() {
        for (String kind : List.of("classification", "hyperplane", "sea", "rbf")) {
            SourceDefinition d = Sources.resolve("synthetic:" + kind, SourceOptions.builder().optLength(300).build());
            String t = kafka.topic(kind);
            IngestCounts done = ingest(d, d.schemaHint(), t).build().run();
            assertThat(done.read()).as(kind).isEqualTo(300);
            assertThat(done.sent()).as(kind).isEqualTo(300);
            assertThat(done.rejected()).isZero();
            List<ConsumerRecord<byte[], byte[]>> got = kafka.reader(t).readExactly(300);
            ConsumerRecord<byte[], byte[]> r = got.get(0);
            Example e = ExampleCodec.decode(r.value(), r.headers());
            assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo(e.id());
            assertThat(new String(r.headers().lastHeader(ContentTypes.HEADER).value(), StandardCharsets.UTF_8))
                    .isEqualTo(ContentTypes.EXAMPLE_BINARY);
            assertThat(d.schemaHint().problem(e)).isNull();
        }
    }

    @Test
    void sendsIdxImagesAsUint8AndReplaysShuffledEpochsUpToTheLimit() throws Exception {
        Path[] files = IdxFiles.write(dir, "mini", 4, 4, new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, true, 0);
        SourceDefinition d = Sources.resolve("idx:" + files[0] + "," + files[1], SourceOptions.defaults());
        assertThat(d.schemaHint()).isEqualTo(schema(16, FeatureType.UINT8, 10));
        String t = kafka.topic("idx");
        IngestCounts done = ingest(d, d.schemaHint(), t).optEpochs(3).optShuffleSeed(5L).optLimit(25).build().run();
        assertThat(done.read()).isEqualTo(25);
        assertThat(done.sent()).isEqualTo(25);
        assertThat(done.expected()).isEqualTo(25);
        List<Example> got = kafka.reader(t).readExactly(25).stream()
                .map(r -> ExampleCodec.decode(r.value(), r.headers())).toList();
        assertThat(got).allMatch(e -> e.features().type() == FeatureType.UINT8)
                .allMatch(e -> e.features().get(0) == e.label());
        List<String> firstEpoch = got.subList(0, 10).stream().map(Example::id).toList();
        assertThat(new HashSet<>(firstEpoch)).hasSize(10);
        assertThat(firstEpoch).isNotEqualTo(List.of("mini-0", "mini-1", "mini-2", "mini-3", "mini-4", "mini-5",
                "mini-6", "mini-7", "mini-8", "mini-9"));
    }

    @Test
    void sendsFashionMnistAndItsDriftingVariant() {
        Prerequisites.directory(IdxSource.FASHION_MNIST_DIR, "dataset-fashion-mnist");
        SourceDefinition d = Sources.resolve("idx:fashion-mnist/t10k", SourceOptions.defaults());
        String t = kafka.topic("fashion");
        IngestCounts done = ingest(d, d.schemaHint(), t).build().run();
        assertThat(done.read()).isEqualTo(10_000);
        assertThat(done.sent()).isEqualTo(10_000);
        assertThat(done.bytesSent()).isGreaterThan(10_000L * 784);
        SourceDefinition drift = Sources.resolve("synthetic:fashion-drift",
                SourceOptions.builder().optIdxData("fashion-mnist/t10k").optDriftAt(500).build());
        String t2 = kafka.topic("drift");
        assertThat(ingest(drift, drift.schemaHint(), t2).optLimit(1000).build().run().sent()).isEqualTo(1000);
        List<ConsumerRecord<byte[], byte[]>> got = kafka.reader(t2).readExactly(1000);
        assertThat(got.stream().filter(r -> new String(r.key(), StandardCharsets.UTF_8).endsWith("-d"))).hasSize(500);
    }

    @Test
    void sendsCsvAndJsonLinesFiles() throws Exception {
        Path csv = dir.resolve("flowers.csv");
        Files.writeString(csv, "id,a,b,kind\nf1,1.0,2.0,rose\nf2,3.0,4.0,tulip\nf3,5.0,6.0,rose\n");
        SourceDefinition c = Sources.resolve("csv:" + csv,
                SourceOptions.builder().optLabelColumn("kind").optIdColumn("id").build());
        assertThat(c.labelClasses()).containsExactly("rose", "tulip");
        String t = kafka.topic("csv");
        assertThat(ingest(c, c.schemaHint(), t).build().run().sent()).isEqualTo(3);
        List<ConsumerRecord<byte[], byte[]>> csvGot = kafka.reader(t).readExactly(3);
        assertThat(ExampleCodec.decode(csvGot.get(1).value(), csvGot.get(1).headers()))
                .isEqualTo(Example.labeled("f2", Features.ofFloats(3f, 4f), 1));

        Path jsonl = dir.resolve("ex.jsonl");
        Files.writeString(jsonl, "{\"id\":\"j1\",\"features\":[0.5,1.5],\"label\":1}\n"
                + "{\"id\":\"j2\",\"features\":[2,3],\"label\":0,\"weight\":2.0,\"ts\":1700000000000}\n");
        SourceDefinition j = Sources.resolve("jsonl:" + jsonl, SourceOptions.defaults());
        String tj = kafka.topic("jsonl");
        IngestCounts done = ingest(j, schema(2, FeatureType.FLOAT32, 2), tj).optFormat(ExampleProducer.Format.JSON)
                .build().run();
        assertThat(done.sent()).isEqualTo(2);
        List<ConsumerRecord<byte[], byte[]>> got = kafka.reader(tj).readExactly(2);
        assertThat(ExampleCodec.decode(got.get(1).value(), got.get(1).headers()))
                .isEqualTo(new Example("j2", Features.ofFloats(2f, 3f), 0, 2f, 1700000000000L));
    }

    @Test
    void malformedCorpusIsCountedExactlyAndEveryRejectIsDeadLetteredWithItsReasonAndOriginalBytes() throws Exception {
        String big = "x".repeat(3000);
        List<String> lines = List.of(
                "{\"id\":\"ok1\",\"features\":[1,2,3,4],\"label\":0}",
                "{\"id\":\"broken\",\"features\":[1,2,3",
                "{\"id\":\"short\",\"features\":[1,2,3],\"label\":0}",
                "{\"id\":\"nan\",\"features\":[NaN,1,2,3],\"label\":1}",
                "{\"id\":\"inf\",\"features\":[1,-Infinity,2,3],\"label\":1}",
                "{\"id\":\"label\",\"features\":[1,2,3,4],\"label\":7}",
                "",
                "{\"id\":\"big\",\"features\":[1,2,3,4],\"label\":0,\"pad\":\"" + big + "\"}",
                "{\"id\":\"strfeat\",\"features\":[\"a\",2,3,4],\"label\":0}",
                "{\"id\":\"strlabel\",\"features\":[1,2,3,4],\"label\":\"cat\"}",
                "[1,2,3,4]",
                "{\"id\":\"ok2\",\"features\":[4,3,2,1],\"label\":2}");
        Map<String, RejectReason> expectedReasons = Map.of(
                "corpus.jsonl line 2", RejectReason.MALFORMED,
                "corpus.jsonl line 3", RejectReason.FEATURE_COUNT,
                "corpus.jsonl line 4", RejectReason.NON_FINITE,
                "corpus.jsonl line 5", RejectReason.NON_FINITE,
                "corpus.jsonl line 6", RejectReason.LABEL,
                "corpus.jsonl line 7", RejectReason.EMPTY,
                "corpus.jsonl line 8", RejectReason.TOO_LARGE,
                "corpus.jsonl line 9", RejectReason.MALFORMED,
                "corpus.jsonl line 10", RejectReason.MALFORMED,
                "corpus.jsonl line 11", RejectReason.MALFORMED);
        Path jsonl = dir.resolve("corpus.jsonl");
        Files.writeString(jsonl, String.join("\n", lines) + "\n");
        ExampleSchema schema = new ExampleSchema(4, FeatureType.FLOAT32, 3, 2048);
        String t = kafka.topic("malformed");
        CollectorRegistry registry = new CollectorRegistry();
        IngestCounts done;
        try (IngestMetrics metrics = new IngestMetrics(registry)) {
            done = ingest(Sources.resolve("jsonl:" + jsonl, SourceOptions.defaults()), schema, t)
                    .optObserver(metrics).build().run();
            assertThat(IngestSamples.records(registry, "read")).isEqualTo(12.0);
            assertThat(IngestSamples.records(registry, "sent")).isEqualTo(2.0);
            assertThat(IngestSamples.records(registry, "rejected")).isEqualTo(10.0);
            assertThat(IngestSamples.rejected(registry, "non_finite")).isEqualTo(2.0);
        }
        assertThat(done.read()).isEqualTo(12).isEqualTo(done.sent() + done.rejected());
        assertThat(done.sent()).isEqualTo(2);
        assertThat(done.rejected()).isEqualTo(10);
        assertThat(done.rejected(RejectReason.MALFORMED)).isEqualTo(4);

        // A truncated binary input: an IDX images file cut in the middle of its last image.
        Path[] cut = IdxFiles.write(dir, "cut", 2, 2, new int[] {0, 1, 2}, false, 2);
        IngestCounts idx = ingest(Sources.resolve("idx:" + cut[0], SourceOptions.defaults()),
                schema(4, FeatureType.UINT8, 10), t).build().run();
        assertThat(idx.read()).isEqualTo(3).isEqualTo(idx.sent() + idx.rejected());
        assertThat(idx.rejected(RejectReason.MALFORMED)).isEqualTo(1);

        List<ConsumerRecord<byte[], byte[]>> dlq = kafka.reader(t + ".dlq").readExactly(11);
        Map<String, ConsumerRecord<byte[], byte[]>> bySource = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : dlq) {
            bySource.put(header(r, DeadLetterHeaders.SOURCE), r);
        }
        expectedReasons.forEach((source, reason) -> {
            ConsumerRecord<byte[], byte[]> r = bySource.get(source);
            assertThat(r).as(source).isNotNull();
            int line = Integer.parseInt(source.substring(source.lastIndexOf(' ') + 1));
            assertThat(new String(r.value(), StandardCharsets.UTF_8)).as(source).isEqualTo(lines.get(line - 1));
            assertThat(header(r, ContentTypes.HEADER)).isEqualTo(ContentTypes.JSON);
        });
        assertThat(header(bySource.get("corpus.jsonl line 3"), DeadLetterHeaders.REASON))
                .isEqualTo("example short: feature count 3, expected 4");
        assertThat(header(bySource.get("corpus.jsonl line 4"), DeadLetterHeaders.REASON)).contains("NaN");
        assertThat(header(bySource.get("corpus.jsonl line 5"), DeadLetterHeaders.REASON)).contains("-Infinity");
        assertThat(header(bySource.get("corpus.jsonl line 6"), DeadLetterHeaders.REASON))
                .isEqualTo("example label: label 7 out of range, expected 0..2");
        assertThat(header(bySource.get("corpus.jsonl line 7"), DeadLetterHeaders.REASON)).isEqualTo("empty record");
        assertThat(header(bySource.get("corpus.jsonl line 8"), DeadLetterHeaders.REASON))
                .isEqualTo("record is " + lines.get(7).length() + " bytes, larger than the cap of 2048");
        assertThat(header(bySource.get("corpus.jsonl line 9"), DeadLetterHeaders.REASON)).contains("feature 0 must be a number");
        assertThat(header(bySource.get("corpus.jsonl line 10"), DeadLetterHeaders.REASON)).contains("'label' must be");
        ConsumerRecord<byte[], byte[]> truncated = bySource.get("cut-images-idx3-ubyte image 2");
        assertThat(header(truncated, DeadLetterHeaders.REASON)).contains("truncated IDX image 2: 2 of 4 bytes");
        assertThat(truncated.value()).containsExactly(2, 2);
        List<Example> valid = new ArrayList<>();
        kafka.reader(t).readExactly(4).forEach(r -> valid.add(ExampleCodec.decode(r.value(), r.headers())));
        assertThat(valid).extracting(Example::id).containsExactlyInAnyOrder("ok1", "ok2", "cut-0", "cut-1");
    }

    @Test
    void keepsOnlyTheHeadOfADeadLetterTooLargeForKafka() throws Exception {
        Path jsonl = dir.resolve("huge.jsonl");
        String line = "{\"id\":\"h\",\"features\":[1],\"label\":0,\"pad\":\"" + "y".repeat(5000) + "\"}";
        Files.writeString(jsonl, line + "\n");
        String t = kafka.topic("huge");
        IngestCounts done = ingest(Sources.resolve("jsonl:" + jsonl, SourceOptions.defaults()),
                new ExampleSchema(1, FeatureType.FLOAT32, 2, 1000), t).optDeadLetterMaxBytes(100).build().run();
        assertThat(done.rejected(RejectReason.TOO_LARGE)).isEqualTo(1);
        ConsumerRecord<byte[], byte[]> r = kafka.reader(t + ".dlq").readExactly(1).get(0);
        assertThat(r.value()).hasSize(100);
        assertThat(header(r, DeadLetterHeaders.REASON)).isEqualTo("record is " + line.length() + " bytes, larger than the cap of 1000 (original " + line.length()
                + " bytes, the first 100 kept)");
    }

    @Test
    void failsWithinTheTimeoutWhenNoBrokerAnswers() {
        SourceDefinition d = Sources.resolve("synthetic:sea", SourceOptions.builder().optLength(10).build());
        long start = System.nanoTime();
        assertThatThrownBy(() -> Ingestor.builder().setBootstrapServers("127.0.0.1:1").setSource(d)
                .setSchema(d.schemaHint()).setTopic("x").setDeadLetterTopic("x.dlq").optTimeout(Duration.ofSeconds(2))
                .build().run())
                .isInstanceOf(BrokerUnavailableException.class)
                .hasMessageContaining("cannot reach the Kafka broker at 127.0.0.1:1 within 2000 ms");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15));
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        return new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }
}
