package io.streamlearn.core.example;

import io.streamlearn.core.testkit.UntrustedBytes;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Example decoders on hostile bytes: whatever a producer writes to the examples or requests topic, the binary,
 * the JSON and the sniffing decoder each return an example or throw {@link CodecException}, which the callers
 * turn into a dead letter; and no declared length or count allocates more than the record holds.
 */
class UntrustedExampleBytesTest {
    private static final byte[] BINARY_MAGIC = {ExampleBinaryCodec.MAGIC_0, ExampleBinaryCodec.MAGIC_1,
            (byte) ExampleBinaryCodec.VERSION};

    @Property(tries = 10_000, seed = "16")
    void everyDecoderReturnsAnExampleOrRefusesWithCodecException(@ForAll("untrusted") byte[] value) {
        UntrustedBytes.assertDecodesOrRefuses(value, CodecException.class, ExampleBinaryCodec::decode,
                ExampleJsonCodec::decode, v -> ExampleCodec.decode(v, (String) null));
    }

    @Provide
    Arbitrary<byte[]> untrusted() {
        Arbitrary<String> ids = Arbitraries.strings().ofMinLength(1).ofMaxLength(24);
        Arbitrary<Features> features = Arbitraries.oneOf(
                Arbitraries.bytes().array(byte[].class).ofMaxSize(48).map(Features::ofUint8),
                Arbitraries.floats().between(-1e6f, 1e6f).array(float[].class).ofMaxSize(48).map(Features::ofFloats));
        Arbitrary<Integer> labels = Arbitraries.oneOf(Arbitraries.just(Example.NO_LABEL),
                Arbitraries.integers().between(0, 1000));
        Arbitrary<Float> weights = Arbitraries.oneOf(Arbitraries.just(1f), Arbitraries.floats().between(0f, 100f));
        Arbitrary<Long> timestamps = Arbitraries.oneOf(Arbitraries.just(Example.NO_TIMESTAMP),
                Arbitraries.longs().between(0, 4_000_000_000_000L));
        // Valid examples of both dtypes, with and without label, weight and timestamp, then made hostile.
        return UntrustedBytes.untrustedEncodings(Combinators.combine(ids, features, labels, weights, timestamps)
                .as(Example::new), ExampleBinaryCodec::encode, BINARY_MAGIC, ExampleJsonCodec::encode);
    }
}
