package io.streamlearn.monitor.alerts;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamlearn.core.example.Json;
import io.streamlearn.monitor.testkit.PrometheusTools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * monitor/METRICS.md lists every metric the code registers (simpleclient names in ingest, serving and monitor;
 * the trainer's Flink metric names) and every metric alerts.yml and the Grafana dashboard query.
 */
class MetricCatalogTest {
    private static final String FLINK_PREFIX = "flink_taskmanager_job_task_operator_streamlearn_";
    private static final Pattern QUERIED = Pattern.compile("\\b((?:streamlearn|flink|jvm)_[A-Za-z_]+)");
    private static final Path ROOT = PrometheusTools.monitorDir().getParent();

    private static String catalog() throws IOException {
        return Files.readString(PrometheusTools.monitorDir().resolve("METRICS.md"));
    }

    @Test
    void listsEveryMetricTheCodeRegisters() throws IOException {
        String catalog = catalog();
        Set<String> registered = new TreeSet<>();
        for (String module : List.of("ingest", "serving", "monitor")) {
            scan(ROOT.resolve(module).resolve("src/main/java"), Pattern.compile("\"(streamlearn_[a-z_]+)\""), registered);
        }
        assertThat(registered).contains("streamlearn_serving_latency_seconds", "streamlearn_ingest_records_total",
                "streamlearn_served_accuracy");
        for (String name : registered) {
            assertThat(catalog).as(name).contains("`" + name + "`");
        }
        Set<String> flink = new TreeSet<>();
        scan(ROOT.resolve("trainer/src/main/java"),
                Pattern.compile("group\\.(?:counter|gauge|histogram|meter)\\(\"([a-z_]+)\""), flink);
        assertThat(flink).contains("examples_trained", "prequential_accuracy", "decoded_records");
        for (String name : flink) {
            assertThat(catalog).as(name).contains("| `" + name + "` | `…_streamlearn_" + name);
        }
    }

    @Test
    void listsEveryMetricTheAlertsAndTheDashboardQuery() throws IOException {
        String catalog = catalog();
        Set<String> queried = new TreeSet<>();
        for (JsonNode rule : AlertRulesTest.rules()) {
            collect(rule.path("expr").asText(), queried);
        }
        JsonNode dashboard = Json.MAPPER.readTree(PrometheusTools.monitorDir().resolve("grafana/streamlearn.json").toFile());
        int targets = 0;
        for (JsonNode panel : dashboard.path("panels")) {
            for (JsonNode t : panel.path("targets")) {
                collect(t.path("expr").asText(), queried);
                targets++;
            }
        }
        assertThat(targets).isGreaterThan(20);
        assertThat(dashboard.path("uid").asText()).isEqualTo("streamlearn");
        for (String name : queried) {
            String base = name.replaceAll("_(bucket|sum|count)$", "");
            if (base.startsWith(FLINK_PREFIX)) {
                assertThat(catalog).as(name).contains("`…_streamlearn_" + base.substring(FLINK_PREFIX.length()));
            } else {
                assertThat(catalog).as(name).contains("`" + base + (base.startsWith("jvm_") ? "" : "`"));
            }
        }
    }

    private static void collect(String expr, Set<String> into) {
        Matcher m = QUERIED.matcher(expr);
        while (m.find()) {
            into.add(m.group(1));
        }
    }

    private static void scan(Path dir, Pattern p, Set<String> into) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.filter(x -> x.toString().endsWith(".java")).toList()) {
                Matcher m = p.matcher(Files.readString(f));
                while (m.find()) {
                    into.add(m.group(1));
                }
            }
        }
    }
}
