package io.streamlearn.ingest.produce;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamlearn.core.example.Example;
import io.streamlearn.core.example.ExampleCodec;
import io.streamlearn.core.example.ExampleSchema;
import io.streamlearn.core.example.FeatureType;
import io.streamlearn.core.testkit.KafkaBrokerExtension;
import io.streamlearn.core.testkit.Prerequisites;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The Python and kcat snippets of docs/ingest.md, run as they are printed against the embedded broker:
 * every record they write decodes and fits the schema. Skipped where the client is not installed, failed on CI.
 */
class OtherLanguageProducersTest {
    private static final Path DOC = Path.of("..", "docs", "ingest.md");
    private static final ExampleSchema SCHEMA = new ExampleSchema(4, FeatureType.FLOAT32, 3,
            ExampleSchema.DEFAULT_MAX_RECORD_BYTES);

    @RegisterExtension
    static final KafkaBrokerExtension kafka = KafkaBrokerExtension.perClass();

    @Test
    void thePythonSnippetWritesValidExamples() throws Exception {
        // Debian's python3 at its own path: the module comes from its package, not from a virtualenv on the PATH.
        Prerequisites.require(Files.isExecutable(Path.of("/usr/bin/python3")), "no /usr/bin/python3",
                "python3-confluent-kafka");
        Prerequisites.require(exit(List.of("/usr/bin/python3", "-c", "import confluent_kafka"), null) == 0,
                "/usr/bin/python3 lacks confluent_kafka", "python3-confluent-kafka");
        String topic = kafka.topic("py.examples");
        Path script = Files.createTempFile("producer", ".py");
        try {
            Files.writeString(script, snippet("python-producer"));
            assertThat(exit(List.of("/usr/bin/python3", script.toString()), topic)).isZero();
        } finally {
            Files.deleteIfExists(script);
        }
        List<ConsumerRecord<byte[], byte[]>> got = kafka.reader(topic).readExactly(101);
        assertValid(got);
        assertThat(got).anyMatch(r -> decode(r).id().equals("py-image") && decode(r).features().type() == FeatureType.UINT8);
    }

    @Test
    void theKcatSnippetWritesValidExamples() throws Exception {
        Prerequisites.tool("kcat", "kcat");
        String topic = kafka.topic("kcat.examples");
        assertThat(exit(List.of("/bin/sh", "-c", snippet("kcat-producer")), topic)).isZero();
        List<ConsumerRecord<byte[], byte[]>> got = kafka.reader(topic).readExactly(2);
        assertValid(got);
        assertThat(got).extracting(r -> new String(r.key(), StandardCharsets.UTF_8)).containsExactly("kc-1", "kc-2");
    }

    private static void assertValid(List<ConsumerRecord<byte[], byte[]>> records) {
        for (ConsumerRecord<byte[], byte[]> r : records) {
            Example e = decode(r);
            assertThat(SCHEMA.problem(e)).as(e.id()).isNull();
            assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo(e.id());
        }
    }

    private static Example decode(ConsumerRecord<byte[], byte[]> r) {
        return ExampleCodec.decode(r.value(), r.headers());
    }

    /** The fenced block after {@code <!-- tested: NAME -->} in docs/ingest.md. */
    static String snippet(String name) throws IOException {
        String doc = Files.readString(DOC);
        int marker = doc.indexOf("<!-- tested: " + name + " -->");
        assertThat(marker).as("docs/ingest.md has the snippet " + name).isNotNegative();
        int open = doc.indexOf('\n', doc.indexOf("```", marker)) + 1;
        int close = doc.indexOf("\n```", open);
        return doc.substring(open, close + 1);
    }

    private static int exit(List<String> command, String topic) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        if (topic != null) {
            pb.environment().put("BOOTSTRAP", kafka.bootstrapServers());
            pb.environment().put("TOPIC", topic);
        }
        Process p = pb.start();
        byte[] output = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(command + " did not finish in 60 s");
        }
        if (p.exitValue() != 0 && topic != null) {
            System.err.println(command + " failed:\n" + new String(output, StandardCharsets.UTF_8));
        }
        return p.exitValue();
    }
}
