package io.streamlearn.trainer.learn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class DeviceSelectorTest {

    @Test
    void takesTheGpuFlinkAssignedThenSubtaskModuloGpuCountThenTheCpu() {
        assertThat(DeviceSelector.select("auto", 5, 4, OptionalInt.of(2))).isEqualTo(Device.gpu(2));
        assertThat(DeviceSelector.select("auto", 5, 4, OptionalInt.empty())).isEqualTo(Device.gpu(1));
        assertThat(DeviceSelector.select("gpu", 6, 4, OptionalInt.empty())).isEqualTo(Device.gpu(2));
        assertThat(DeviceSelector.select("auto", 5, 0, OptionalInt.empty())).isEqualTo(Device.cpu());
        assertThat(DeviceSelector.select("cpu", 0, 4, OptionalInt.of(1))).isEqualTo(Device.cpu());
        assertThat(DeviceSelector.select("gpu:3", 0, 4, OptionalInt.empty())).isEqualTo(Device.gpu(3));
    }

    @Test
    void refusesAGpuThatIsNotThere() {
        assertThatThrownBy(() -> DeviceSelector.select("gpu", 0, 0, OptionalInt.empty()))
                .hasMessageContaining("sees none");
        assertThatThrownBy(() -> DeviceSelector.select("gpu:4", 0, 4, OptionalInt.empty()))
                .hasMessageContaining("GPUs 0..3");
        assertThatThrownBy(() -> DeviceSelector.select("tpu", 0, 4, OptionalInt.empty()))
                .hasMessageContaining("must be auto, cpu, gpu or gpu:N");
    }
}
