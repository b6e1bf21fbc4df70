package io.streamlearn.core.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamlearn.core.config.KafkaSettings;
import io.streamlearn.core.config.SettingsDef;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GuardedClientPropertiesTest {
    private static final SettingsDef DEF = SettingsDef.of("test", KafkaSettings.DEF);

    @Test
    void refusesEachGuardedPropertyNamingItAndWhy() {
        Map<String, String> bad = Map.of("enable.auto.commit", "true", "isolation.level", "read_uncommitted",
                "enable.idempotence", "false", "acks", "1", "transactional.id", "mine", "group.id", "g",
                "key.serializer", "x", "value.serializer", "x", "key.deserializer", "x", "value.deserializer", "x");
        assertThat(GuardedClientProperties.GUARDS).hasSize(bad.size());
        bad.forEach((k, v) -> assertThatThrownBy(() -> GuardedClientProperties.check(Map.of(k, v), "-X"))
                .isInstanceOf(GuardedClientProperties.GuardedPropertyException.class)
                .hasMessageContaining("Kafka property " + k + "=" + v + " from -X is refused")
                .hasMessageContaining("because"));
    }

    @Test
    void acceptsTheSafeValuesAndEverythingElse() {
        assertThatCode(() -> GuardedClientProperties.check(Map.of("acks", "all", "enable.auto.commit", "FALSE",
                "isolation.level", "read_committed", "enable.idempotence", "true", "security.protocol", "SASL_SSL",
                "linger.ms", "0"), "-X")).doesNotThrowAnyException();
    }

    @Test
    void aCommandLinePropertyIsRefusedWhenTheOverridesAreRead() {
        var values = DEF.parseArgs(List.of("-X", "isolation.level=read_uncommitted"));
        assertThatThrownBy(() -> KafkaSettings.overrides(values))
                .hasMessageContaining("isolation.level=read_uncommitted from --kafka-property");
    }

    @Test
    void aConfigFilePropertyIsRefusedNamingTheFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("client.properties");
        Files.writeString(file, "security.protocol=SASL_SSL\nenable.auto.commit=true\n");
        var values = DEF.parseArgs(List.of("--kafka-config", file.toString()));
        assertThatThrownBy(() -> KafkaSettings.overrides(values))
                .hasMessageContaining("enable.auto.commit=true from --kafka-config " + file);
    }
}
