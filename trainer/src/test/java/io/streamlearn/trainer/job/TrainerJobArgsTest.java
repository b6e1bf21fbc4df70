package io.streamlearn.trainer.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamlearn.core.model.ModelSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.flink.util.ParameterTool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerJobArgsTest {

    @Test
    void readsTheFlinkRunArguments(@TempDir Path dir) throws Exception {
        Path spec = dir.resolve("mlp.json");
        Files.writeString(spec, ModelSpec.mlp("m", 4, 2, 8).toJson());
        TrainerConfig c = TrainerJob.fromArgs(ParameterTool.fromArgs(new String[] {"--bootstrap-server", "k:9092",
                "--spec", spec.toString(), "--store", "/snapshots", "--init-from", "7", "--gate-margin", "0.1",
                "--kafka.security.protocol", "SASL_SSL", "--device", "gpu:1", "--drift-detector", "page-hinkley",
                "--drift-reaction", "lr-boost"}));
        assertThat(c.bootstrapServers()).isEqualTo("k:9092");
        assertThat(c.spec().name()).isEqualTo("m");
        assertThat(c.initFromVersion()).isEqualTo(7);
        assertThat(c.gateMargin()).isEqualTo(0.1);
        assertThat(c.device()).isEqualTo("gpu:1");
        assertThat(c.driftDetector()).isEqualTo("page-hinkley");
        assertThat(c.driftReaction()).isEqualTo(TrainerConfig.DriftReaction.LR_BOOST);
        assertThat(c.kafkaOverrides()).containsEntry("security.protocol", "SASL_SSL");
        assertThatThrownBy(() -> TrainerJob.fromArgs(ParameterTool.fromArgs(new String[] {"--spec", "x"})))
                .hasMessageContaining("bootstrap-server");
    }
}
