package io.streamlearn.core.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class DriftDetectorTest {

    @Test
    void parsesSpecsWithDefaultsForWhatIsNotNamed() {
        assertThat(DriftDetector.parse("adwin").toString())
                .isEqualTo("adwin:delta=0.002,clock=32,max-buckets=5,min-sub-window=5");
        assertThat(DriftDetector.parse("adwin:delta=0.01,clock=1").toString())
                .isEqualTo("adwin:delta=0.01,clock=1,max-buckets=5,min-sub-window=5");
        assertThat(DriftDetector.parse("page-hinkley:lambda=25,direction=both").toString())
                .isEqualTo("page-hinkley:delta=0.005,lambda=25.0,alpha=0.9999,min-instances=30,direction=both");
        assertThat(DriftDetector.parse("ph").name()).isEqualTo("page-hinkley");
    }

    @Test
    void refusesBadSpecsNamingTheSpecAndTheFix() {
        assertThatThrownBy(() -> DriftDetector.parse("ddm")).hasMessage(
                "drift detector spec 'ddm': unknown detector 'ddm', known: adwin, page-hinkley");
        assertThatThrownBy(() -> DriftDetector.parse("adwin:lambda=3")).hasMessageContaining(
                "unknown adwin setting 'lambda', known: delta, clock, max-buckets, min-sub-window");
        assertThatThrownBy(() -> DriftDetector.parse("adwin:delta=x")).hasMessageContaining("delta 'x' is not a number");
        assertThatThrownBy(() -> DriftDetector.parse("page-hinkley:direction=sideways"))
                .hasMessageContaining("direction 'sideways' must be up, down or both");
    }

    @Test
    void refusesStatesThatAreNotDetectorStates() {
        assertThatThrownBy(() -> DriftDetector.restore("not a state".getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("expected 0x534c4444 (SLDD)");
        byte[] state = Adwin.builder().build().state();
        byte[] future = state.clone();
        future[4] = 2;
        assertThatThrownBy(() -> DriftDetector.restore(future)).hasMessageContaining("format version 2 is not supported");
        assertThatThrownBy(() -> DriftDetector.restore(Arrays.copyOf(state, state.length - 3)))
                .hasMessageContaining("truncated");
        assertThatThrownBy(() -> DriftDetector.restore(null)).hasMessageContaining("too short");
    }
}
