package io.streamlearn.core.prediction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamlearn.core.example.CodecException;
import io.streamlearn.core.example.ContentTypes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PredictionCodecTest {

    @Test
    void roundTripsGeneratedPredictionsThroughBothCodecs() {
        Random r = new Random(3);
        for (int i = 0; i < 1000; i++) {
            List<Prediction.Score> scores = new ArrayList<>();
            for (int k = r.nextInt(11); k > 0; k--) {
                scores.add(new Prediction.Score(r.nextInt(100), r.nextFloat()));
            }
            Prediction p = new Prediction("r-" + i, r.nextInt(100), scores, "model-" + r.nextInt(3),
                    1 + r.nextInt(1_000_000), r.nextFloat() * 100);
            assertThat(PredictionBinaryCodec.decode(PredictionBinaryCodec.encode(p))).isEqualTo(p);
            assertThat(PredictionJsonCodec.decode(PredictionJsonCodec.encode(p))).isEqualTo(p);
        }
    }

    @Test
    void refusesTruncatedAndInvalidPredictions() {
        byte[] full = PredictionBinaryCodec.encode(new Prediction("a", 1,
                List.of(new Prediction.Score(1, 0.9f)), "m", 3, 1.5f));
        for (int len = 0; len < full.length; len++) {
            byte[] cut = Arrays.copyOf(full, len);
            assertThatThrownBy(() -> PredictionBinaryCodec.decode(cut)).isInstanceOf(CodecException.class);
        }
        assertThatThrownBy(() -> PredictionJsonCodec.decode("{\"id\":\"a\",\"label\":1,\"model\":\"m\"}".getBytes()))
                .hasMessageContaining("missing required field 'version'");
        assertThatThrownBy(() -> new Prediction("a", 1, List.of(), "m", 0, 0))
                .hasMessageContaining("version 0 must be >= 1");
    }

    @Test
    void decodesByHeaderAndSniffsTheFormWithoutOne() {
        Prediction p = new Prediction("r1", 2, List.of(new Prediction.Score(2, 0.7f)), "mlp", 4, 1.5f);
        byte[] binary = PredictionBinaryCodec.encode(p);
        byte[] json = PredictionJsonCodec.encode(p);
        assertThat(PredictionCodec.decode(binary, (String) null)).isEqualTo(p);
        assertThat(PredictionCodec.decode(json, (String) null)).isEqualTo(p);
        assertThat(PredictionCodec.decode(binary, ContentTypes.PREDICTION_BINARY)).isEqualTo(p);
        assertThat(PredictionCodec.decode(json, "application/json; charset=utf-8")).isEqualTo(p);
        assertThatThrownBy(() -> PredictionCodec.decode(json, ContentTypes.PREDICTION_BINARY))
                .isInstanceOf(CodecException.class).hasMessageContaining("magic");
        assertThatThrownBy(() -> PredictionCodec.decode(json, "text/csv")).isInstanceOf(CodecException.class)
                .hasMessageContaining("'text/csv'");
    }
}
