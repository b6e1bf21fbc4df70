package io.streamlearn.core.prediction;

import io.streamlearn.core.example.CodecException;
import io.streamlearn.core.testkit.UntrustedBytes;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Prediction decoders on hostile bytes (the monitor reads the predictions topic): the binary, the JSON and the
 * sniffing decoder each return a prediction or throw {@link CodecException}, nothing else, and no declared count
 * allocates more than the record holds.
 */
class UntrustedPredictionBytesTest {
    private static final byte[] BINARY_MAGIC = {'S', 'P', (byte) PredictionBinaryCodec.VERSION};

    @Property(tries = 10_000, seed = "16")
    void everyDecoderReturnsAPredictionOrRefusesWithCodecException(@ForAll("untrusted") byte[] value) {
        UntrustedBytes.assertDecodesOrRefuses(value, CodecException.class, PredictionBinaryCodec::decode,
                PredictionJsonCodec::decode, v -> PredictionCodec.decode(v, (String) null));
    }

    @Provide
    Arbitrary<byte[]> untrusted() {
        Arbitrary<Prediction.Score> scores = Combinators.combine(Arbitraries.integers().between(0, 1000),
                Arbitraries.floats().between(0f, 1f)).as(Prediction.Score::new);
        Arbitrary<Prediction> predictions = Combinators.combine(Arbitraries.strings().ofMinLength(1).ofMaxLength(24),
                Arbitraries.integers().between(0, 1000), scores.list().ofMaxSize(12),
                Arbitraries.strings().ofMinLength(1).ofMaxLength(16), Arbitraries.longs().between(1, Long.MAX_VALUE),
                Arbitraries.floats().between(0f, 1e4f)).as(Prediction::new);
        return UntrustedBytes.untrustedEncodings(predictions, PredictionBinaryCodec::encode, BINARY_MAGIC,
                PredictionJsonCodec::encode);
    }
}
