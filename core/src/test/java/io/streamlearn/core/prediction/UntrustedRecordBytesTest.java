package io.streamlearn.core.prediction;

import io.streamlearn.core.example.CodecException;
import io.streamlearn.core.example.Example;
import io.streamlearn.core.example.ExampleBinaryCodec;
import io.streamlearn.core.example.ExampleCodec;
import io.streamlearn.core.example.ExampleJsonCodec;
import io.streamlearn.core.example.Features;
import io.streamlearn.core.testkit.UntrustedBytes;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The codecs of the records anyone with access can write to a topic (examples, requests, predictions) on hostile
 * bytes: each binary, JSON and sniffing decoder returns a record or throws {@link CodecException}, which the
 * callers turn into a dead letter, nothing else; and no declared length or count allocates more than the record
 * holds. Every decoder meets every input, so each also sees the other formats' bytes.
 */
class UntrustedRecordBytesTest {
    private static final byte[] EXAMPLE_MAGIC = {ExampleBinaryCodec.MAGIC_0, ExampleBinaryCodec.MAGIC_1,
            (byte) ExampleBinaryCodec.VERSION};
    private static final byte[] PREDICTION_MAGIC = {'S', 'P', (byte) PredictionBinaryCodec.VERSION};

    @Property(tries = 10_000, seed = "16")
    void everyDecoderReturnsARecordOrRefusesWithCodecException(@ForAll("untrusted") byte[] value) {
        UntrustedBytes.assertDecodesOrRefuses(value, CodecException.class,
                ExampleBinaryCodec::decode, ExampleJsonCodec::decode, v -> ExampleCodec.decode(v, (String) null),
                PredictionBinaryCodec::decode, PredictionJsonCodec::decode,
                v -> PredictionCodec.decode(v, (String) null));
    }

    @Provide
    Arbitrary<byte[]> untrusted() {
        return Arbitraries.oneOf(
                UntrustedBytes.untrustedEncodings(examples(), ExampleBinaryCodec::encode, EXAMPLE_MAGIC,
                        ExampleJsonCodec::encode),
                UntrustedBytes.untrustedEncodings(predictions(), PredictionBinaryCodec::encode, PREDICTION_MAGIC,
                        PredictionJsonCodec::encode));
    }

    /** Valid examples of both dtypes, with and without label, weight and timestamp. */
    private static Arbitrary<Example> examples() {
        Arbitrary<Features> features = Arbitraries.oneOf(
                Arbitraries.bytes().array(byte[].class).ofMaxSize(48).map(Features::ofUint8),
                Arbitraries.floats().between(-1e6f, 1e6f).array(float[].class).ofMaxSize(48).map(Features::ofFloats));
        Arbitrary<Integer> labels = Arbitraries.oneOf(Arbitraries.just(Example.NO_LABEL),
                Arbitraries.integers().between(0, 1000));
        Arbitrary<Float> weights = Arbitraries.oneOf(Arbitraries.just(1f), Arbitraries.floats().between(0f, 100f));
        Arbitrary<Long> timestamps = Arbitraries.oneOf(Arbitraries.just(Example.NO_TIMESTAMP),
                Arbitraries.longs().between(0, 4_000_000_000_000L));
        return Combinators.combine(Arbitraries.strings().ofMinLength(1).ofMaxLength(24), features, labels, weights,
                timestamps).as(Example::new);
    }

    private static Arbitrary<Prediction> predictions() {
        Arbitrary<Prediction.Score> scores = Combinators.combine(Arbitraries.integers().between(0, 1000),
                Arbitraries.floats().between(0f, 1f)).as(Prediction.Score::new);
        return Combinators.combine(Arbitraries.strings().ofMinLength(1).ofMaxLength(24),
                Arbitraries.integers().between(0, 1000), scores.list().ofMaxSize(12),
                Arbitraries.strings().ofMinLength(1).ofMaxLength(16), Arbitraries.longs().between(1, Long.MAX_VALUE),
                Arbitraries.floats().between(0f, 1e4f)).as(Prediction::new);
    }
}
