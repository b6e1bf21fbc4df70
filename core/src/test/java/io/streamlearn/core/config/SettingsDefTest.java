package io.streamlearn.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SettingsDefTest {
    private static final Setting<Long> WAIT_MS = Setting.of("wait-ms", Type.LONG).withDefault(200L)
            .withValidator(Validator.atLeast(1L)).withDoc("Longest wait.");
    private static final Setting<Boolean> FAST = Setting.of("fast", Type.FLAG).withDoc("Go fast.");
    private static final Setting<Duration> TIMEOUT = Setting.of("timeout", Type.DURATION).withDefault(Duration.ofSeconds(30));
    private static final SettingsDef DEF = SettingsDef.of("thing", WAIT_MS, FAST, TIMEOUT, KafkaSettings.DEF);

    @Test
    void givenValuesWinOverDefaultsAndSayTheyWereGiven() {
        SettingValues v = DEF.parseArgs(List.of("--wait-ms", "50", "--fast", "--timeout=500ms", "-b", "k:1"));
        assertThat(v.get(WAIT_MS)).isEqualTo(50L);
        assertThat(v.get(FAST)).isTrue();
        assertThat(v.flag(FAST)).isTrue();
        assertThat(v.get(TIMEOUT)).isEqualTo(Duration.ofMillis(500));
        assertThat(v.get(KafkaSettings.BOOTSTRAP_SERVER)).isEqualTo("k:1");
        assertThat(v.isSet(WAIT_MS)).isTrue();

        SettingValues d = DEF.parseArgs(List.of());
        assertThat(d.get(WAIT_MS)).isEqualTo(200L);
        assertThat(d.get(FAST)).isNull();
        assertThat(d.flag(FAST)).isFalse();
        assertThat(d.get(KafkaSettings.TOPIC_PREFIX)).isEqualTo("streamlearn.");
        assertThat(d.isSet(WAIT_MS)).isFalse();
    }

    @Test
    void repeatableKeyValuesCombineInOrderAndTheFileComesFirst() {
        SettingValues v = DEF.parseArgs(List.of("-X", "a=1", "--kafka-property", "b=2", "-X", "a=3"));
        assertThat(KafkaSettings.overrides(v)).containsExactly(Map.entry("a", "3"), Map.entry("b", "2"));
    }

    @Test
    void refusalsNameTheOptionTheValueAndTheLimit() {
        assertThatThrownBy(() -> DEF.parseArgs(List.of("--wait-ms", "0")))
                .isInstanceOf(SettingException.class).hasMessage("--wait-ms is 0, which must be >= 1");
        assertThatThrownBy(() -> DEF.parseArgs(List.of("--wait-ms", "soon")))
                .hasMessageStartingWith("--wait-ms: 'soon' is not a valid N");
        assertThatThrownBy(() -> DEF.parseArgs(List.of("--wait-ms")))
                .hasMessage("thing: --wait-ms needs a value (N)");
        assertThatThrownBy(() -> DEF.parseArgs(List.of("--wait-ms", "1", "--wait-ms", "2")))
                .hasMessage("thing: --wait-ms is given twice");
        assertThatThrownBy(() -> DEF.parseArgs(List.of("stray")))
                .hasMessageContaining("unexpected argument 'stray'");
        assertThatThrownBy(() -> SettingsDef.of("x", CommonSettings.MODEL).parse(Map.of()))
                .hasMessage("x: missing required --model");
    }

    @Test
    void unknownNamesFailWithTheNearestKnownOne() {
        assertThatThrownBy(() -> DEF.parseArgs(List.of("--wait-sm", "1")))
                .hasMessage("thing: unknown argument --wait-sm; did you mean --wait-ms?");
        assertThatThrownBy(() -> DEF.parse(Map.of("topic-prefx", List.of("p."))))
                .hasMessage("thing: unknown argument --topic-prefx; did you mean --topic-prefix?");
        assertThat(DEF.nearest("--completely-different")).isNull();
        assertThat(SettingsDef.distance("kitten", "sitting")).isEqualTo(3);
    }

    @Test
    void aDefinitionMayReplaceADefaultButNotDefineANameTwice() {
        SettingsDef other = DEF.replacing(WAIT_MS.withDefault(5L));
        assertThat(other.parseArgs(List.of()).get(WAIT_MS)).isEqualTo(5L);
        assertThatThrownBy(() -> SettingsDef.of("dup", WAIT_MS, WAIT_MS)).hasMessageContaining("defined twice");
        assertThat(DEF.markdown()).contains("| `--wait-ms N` | `200` | Longest wait. |",
                "| `--kafka-property KEY=VALUE`, `-X KEY=VALUE` |");
    }

    @Test
    void aKeywordOrParsedValidatorAcceptsTheKeywordInAnyCaseAndWhatTheParserReads() {
        Validator<String> v = Validator.keywordOr("never", Type::parseDuration, e -> "is not a duration: " + e.getMessage());
        assertThat(v.problem("never")).isNull();
        assertThat(v.problem("NEVER")).isNull();
        assertThat(v.problem("60s")).isNull();
        assertThat(v.problem("soon")).startsWith("is not a duration: ").contains("soon");
    }
}
