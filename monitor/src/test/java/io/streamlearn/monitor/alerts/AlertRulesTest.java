package io.streamlearn.monitor.alerts;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.streamlearn.monitor.testkit.PrometheusTools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The alert rules as Prometheus sees them: {@code promtool check rules} and {@code promtool test rules} pass,
 * and every rule carries a summary, a description, a severity and a runbook whose anchor exists in
 * docs/monitoring.md, and has a promtool test.
 */
class AlertRulesTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Path PROMETHEUS_DIR = PrometheusTools.monitorDir().resolve("prometheus");

    @Test
    void promtoolAcceptsTheRules() throws Exception {
        Path promtool = PrometheusTools.require("promtool");
        PrometheusTools.Result r = PrometheusTools.run(List.of(promtool.toString(), "check", "rules", "alerts.yml"),
                PROMETHEUS_DIR);
        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(r.output()).contains("SUCCESS: " + rules().size() + " rules found");
    }

    @Test
    void promtoolUnitTestsOfEveryRulePass() throws Exception {
        Path promtool = PrometheusTools.require("promtool");
        PrometheusTools.Result r = PrometheusTools.run(
                List.of(promtool.toString(), "test", "rules", "alerts_test.yml"), PROMETHEUS_DIR);
        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(r.output()).contains("SUCCESS");
    }

    @Test
    void everyRuleHasARunbookInDocsMonitoringAndAPromtoolTest() throws IOException {
        Set<String> anchors = headingAnchors(Files.readString(PrometheusTools.docsDir().resolve("monitoring.md")));
        Set<String> tested = new HashSet<>();
        for (JsonNode t : YAML.readTree(PROMETHEUS_DIR.resolve("alerts_test.yml").toFile()).path("tests")) {
            for (JsonNode a : t.path("alert_rule_test")) {
                if (!a.path("exp_alerts").isEmpty()) {
                    tested.add(a.path("alertname").asText());
                }
            }
        }
        List<JsonNode> rules = rules();
        assertThat(rules).hasSizeGreaterThanOrEqualTo(11);
        for (JsonNode rule : rules) {
            String name = rule.path("alert").asText();
            assertThat(name).as("every rule is an alert").startsWith("Streamlearn");
            assertThat(rule.path("labels").path("severity").asText()).as(name).isIn("critical", "warning", "info");
            assertThat(rule.path("annotations").path("summary").asText()).as(name + " summary").isNotBlank();
            assertThat(rule.path("annotations").path("description").asText()).as(name + " description").isNotBlank();
            String runbook = rule.path("annotations").path("runbook_url").asText();
            assertThat(runbook).as(name + " runbook_url").startsWith("docs/monitoring.md#");
            assertThat(anchors).as(name + ": the heading of " + runbook).contains(runbook.substring(runbook.indexOf('#') + 1));
            assertThat(tested).as(name + " has a firing case in alerts_test.yml").contains(name);
        }
    }

    static List<JsonNode> rules() throws IOException {
        JsonNode root = YAML.readTree(PROMETHEUS_DIR.resolve("alerts.yml").toFile());
        List<JsonNode> rules = new java.util.ArrayList<>();
        for (JsonNode group : root.path("groups")) {
            group.path("rules").forEach(rules::add);
        }
        return rules;
    }

    /** The anchors GitHub gives the markdown headings: lower case, punctuation dropped, spaces to hyphens. */
    static Set<String> headingAnchors(String markdown) {
        Set<String> anchors = new HashSet<>();
        Matcher m = Pattern.compile("(?m)^#{1,6}\\s+(.+?)\\s*$").matcher(markdown);
        while (m.find()) {
            anchors.add(m.group(1).toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9 _-]", "").replace(' ', '-'));
        }
        return anchors;
    }
}
