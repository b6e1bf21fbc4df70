package io.streamlearn.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamlearn.core.config.SettingException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServingProfileTest {

    private static ServingConfig parse(String... args) {
        List<String> all = new java.util.ArrayList<>(List.of("--model", "mlp", "--store", "s"));
        all.addAll(List.of(args));
        return ServingConfig.fromSettings(ServingSettings.DEF.parseArgs(all)).build();
    }

    @Test
    void latencyIsTheDefaultAndSendsEachPredictionWithoutLingerOrBatchWait() {
        ServingConfig c = parse();
        assertThat(c.profile()).isEqualTo(ServingProfile.LATENCY);
        assertThat(c.maxWaitMicros()).isZero();
        assertThat(c.profile().producer(c.kafkaOverrides())).containsEntry("linger.ms", "0");
        assertThat(c.profile().consumer(c.kafkaOverrides())).containsEntry("fetch.min.bytes", "1")
                .containsEntry("fetch.max.wait.ms", "100");
    }

    @Test
    void throughputIsOneFlagAwayAndFillsBatches() {
        ServingConfig c = parse("--profile", "throughput");
        assertThat(c.profile()).isEqualTo(ServingProfile.THROUGHPUT);
        assertThat(c.maxWaitMicros()).isEqualTo(2_000);
        assertThat(c.profile().producer(c.kafkaOverrides())).containsEntry("linger.ms", "5");
        assertThat(c.profile().consumer(c.kafkaOverrides())).containsEntry("fetch.min.bytes", "65536")
                .containsEntry("fetch.max.wait.ms", "20");
    }

    @Test
    void anExplicitBatchWaitAndKafkaPropertiesWinOverTheProfile() {
        ServingConfig c = parse("--profile", "throughput", "--max-wait-micros", "300", "-X", "linger.ms=1",
                "-X", "fetch.max.wait.ms=7");
        assertThat(c.maxWaitMicros()).isEqualTo(300);
        assertThat(c.profile().producer(c.kafkaOverrides())).containsEntry("linger.ms", "1");
        assertThat(c.profile().consumer(c.kafkaOverrides())).containsEntry("fetch.max.wait.ms", "7")
                .containsEntry("fetch.min.bytes", "65536");
        ServingConfig built = ServingConfig.builder().setBootstrapServers("b:1").setModel("m")
                .setStoreRoot(Path.of("s")).optMaxWaitMicros(50).optProfile(ServingProfile.THROUGHPUT).build();
        assertThat(built.maxWaitMicros()).isEqualTo(50);
    }

    @Test
    void leavesTheProfilesOwnPropertiesUnchanged() {
        Map<String, String> mine = ServingProfile.LATENCY.producer(Map.of("linger.ms", "3"));
        mine.put("acks", "all");
        assertThat(ServingProfile.LATENCY.producer(Map.of())).containsExactly(Map.entry("linger.ms", "0"));
    }

    @Test
    void refusesAnUnknownProfileNamingTheChoices() {
        assertThatThrownBy(() -> parse("--profile", "fast")).isInstanceOf(SettingException.class)
                .hasMessageContaining("fast").hasMessageContaining("latency|throughput");
        assertThatThrownBy(() -> ServingConfig.builder().setBootstrapServers("b:1").setModel("m")
                .setStoreRoot(Path.of("s")).optProfile(null).build()).hasMessageContaining("profile is null");
    }
}
