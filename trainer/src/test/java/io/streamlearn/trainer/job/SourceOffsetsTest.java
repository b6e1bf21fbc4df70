package io.streamlearn.trainer.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class SourceOffsetsTest {
    @Test
    void keepsTheFurthestNextOffsetPerPartitionAndRoundTripsThroughOperatorState() {
        SourceOffsets o = new SourceOffsets();
        o.advance(3, 10);
        o.advance(0, 4);
        o.advance(3, 7); // an older record of partition 3 never moves it back
        o.includeAll(Map.of(1, 20L, 0, 2L));
        assertThat(o.toMap()).containsExactly(Map.entry(0, 5L), Map.entry(1, 20L), Map.entry(3, 11L));

        SourceOffsets restored = new SourceOffsets();
        restored.includePairs(o.toPairs());
        assertThat(restored.toMap()).isEqualTo(o.toMap());
        assertThat(new SourceOffsets().toPairs()).isEmpty();
    }
}
