package io.streamlearn.core.feedback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FeedbackJsonCodecTest {

    @Test
    void decodesFeedbackFromTheValueOrTheKey() {
        assertThat(FeedbackJsonCodec.decode(null, "{\"id\":\"r1\",\"label\":3}".getBytes()))
                .isEqualTo(new Feedback("r1", 3));
        assertThat(FeedbackJsonCodec.decode("r2".getBytes(), "{\"label\":0}".getBytes()))
                .isEqualTo(new Feedback("r2", 0));
        assertThat(FeedbackJsonCodec.decode(null, FeedbackJsonCodec.encode(new Feedback("r3", 2))))
                .isEqualTo(new Feedback("r3", 2));
        assertThatThrownBy(() -> FeedbackJsonCodec.decode(null, "{\"id\":\"x\"}".getBytes()))
                .hasMessageContaining("missing or non-integer \"label\"");
        assertThatThrownBy(() -> FeedbackJsonCodec.decode(null, "{\"label\":1}".getBytes()))
                .hasMessageContaining("feedback without an id");
    }

    @Test
    void roundTripsGeneratedIdsWithQuotesAndUnicode() {
        Random r = new Random(5);
        for (int i = 0; i < 500; i++) {
            StringBuilder id = new StringBuilder();
            for (int c = 1 + r.nextInt(20); c > 0; c--) {
                id.append((char) (r.nextBoolean() ? ' ' + r.nextInt(95) : 0xA0 + r.nextInt(0x2000)));
            }
            Feedback f = new Feedback(id.toString(), r.nextInt(1000));
            byte[] json = FeedbackJsonCodec.encode(f);
            assertThat(FeedbackJsonCodec.decode(null, json)).isEqualTo(f);
        }
        assertThat(new String(FeedbackJsonCodec.encode(new Feedback("a\"b", 3)), StandardCharsets.UTF_8))
                .isEqualTo("{\"id\":\"a\\\"b\",\"label\":3}");
    }
}
