package io.streamlearn.core.example;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ExampleCodecTest {

    private static Example randomExample(Random r, int i) {
        int n = r.nextInt(50);
        Features f;
        if (r.nextBoolean()) {
            byte[] b = new byte[n];
            r.nextBytes(b);
            f = Features.ofUint8(b);
        } else {
            float[] v = new float[n];
            for (int k = 0; k < n; k++) {
                v[k] = (float) r.nextGaussian() * (float) Math.pow(10, r.nextInt(20) - 10);
            }
            f = Features.ofFloats(v);
        }
        int label = r.nextInt(5) == 0 ? Example.NO_LABEL : r.nextInt(1000);
        float weight = r.nextBoolean() ? 1f : r.nextFloat() * 3;
        long ts = r.nextBoolean() ? Example.NO_TIMESTAMP : r.nextLong();
        String id = r.nextInt(4) == 0 ? "id-ü-\u00e9-" + i : "e" + i;
        return new Example(id, f, label, weight, ts);
    }

    @Test
    void roundTripsGeneratedExamplesThroughBothCodecs() {
        Random r = new Random(7);
        for (int i = 0; i < 2000; i++) {
            Example e = randomExample(r, i);
            assertThat(ExampleBinaryCodec.decode(ExampleBinaryCodec.encode(e))).isEqualTo(e);
            assertThat(ExampleJsonCodec.decode(ExampleJsonCodec.encode(e))).isEqualTo(e);
            assertThat(ExampleCodec.decode(ExampleBinaryCodec.encode(e), (String) null)).isEqualTo(e);
            assertThat(ExampleCodec.decode(ExampleJsonCodec.encode(e), (String) null)).isEqualTo(e);
        }
    }

    @Test
    void roundTripsEmptyFeaturesAndNonFiniteValues() {
        Example empty = Example.labeled("empty", Features.ofFloats(), 0);
        assertThat(ExampleBinaryCodec.decode(ExampleBinaryCodec.encode(empty))).isEqualTo(empty);
        assertThat(ExampleJsonCodec.decode(ExampleJsonCodec.encode(empty))).isEqualTo(empty);

        Example odd = Example.labeled("nan", Features.ofFloats(Float.NaN, Float.POSITIVE_INFINITY,
                Float.NEGATIVE_INFINITY, -0f, Float.MIN_VALUE, Float.MAX_VALUE), 1);
        assertThat(ExampleBinaryCodec.decode(ExampleBinaryCodec.encode(odd))).isEqualTo(odd);
        assertThat(ExampleJsonCodec.decode(ExampleJsonCodec.encode(odd))).isEqualTo(odd);
        assertThat(odd.features().firstNonFinite()).isEqualTo(0);
    }

    @Test
    void readsJsonAsPythonWritesIt() {
        String py = "{\"id\": \"7\", \"features\": [1, 2.5, NaN, -Infinity], \"label\": 3, \"ts\": 17}";
        Example e = ExampleJsonCodec.decode(py.getBytes(StandardCharsets.UTF_8));
        assertThat(e.id()).isEqualTo("7");
        assertThat(e.label()).isEqualTo(3);
        assertThat(e.timestampMs()).isEqualTo(17);
        assertThat(((Features.Float32) e.features()).values()).containsExactly(1f, 2.5f, Float.NaN,
                Float.NEGATIVE_INFINITY);
    }

    @Test
    void roundTripsHugeFeatureVectors() {
        byte[] big = new byte[Features.MAX_COUNT];
        big[big.length - 1] = (byte) 255;
        Example e = Example.labeled("big", Features.ofUint8(big), 9);
        assertThat(ExampleBinaryCodec.decode(ExampleBinaryCodec.encode(e))).isEqualTo(e);
    }

    @Test
    void refusesFeatureCountsBeyondTheCap() {
        assertThatThrownBy(() -> Features.ofUint8(new byte[Features.MAX_COUNT + 1]))
                .hasMessageContaining("exceeds the maximum " + Features.MAX_COUNT);
        byte[] header = ExampleBinaryCodec.encode(Example.labeled("x", Features.ofFloats(), 0));
        // Patch the feature count (last 4 bytes, little-endian) to 2^30.
        header[header.length - 1] = 0x40;
        assertThatThrownBy(() -> ExampleBinaryCodec.decode(header))
                .isInstanceOf(CodecException.class).hasMessageContaining("feature count 1073741824 is outside");
    }

    @Test
    void refusesEveryTruncationOfABinaryExampleWithTheFieldName() {
        byte[] full = ExampleBinaryCodec.encode(new Example("abc", Features.ofFloats(1, 2, 3), 2, 0.5f, 99));
        for (int len = 0; len < full.length; len++) {
            byte[] cut = Arrays.copyOf(full, len);
            assertThatThrownBy(() -> ExampleBinaryCodec.decode(cut))
                    .isInstanceOf(CodecException.class)
                    .hasMessageMatching(len == 0 ? "empty record.*" : ".*(truncated|bad magic).*");
        }
    }

    @Test
    void refusesTrailingBytesUnknownVersionAndBadMagic() {
        byte[] ok = ExampleBinaryCodec.encode(Example.labeled("a", Features.ofUint8(new byte[] {1, 2}), 0));
        byte[] trailing = Arrays.copyOf(ok, ok.length + 1);
        assertThatThrownBy(() -> ExampleBinaryCodec.decode(trailing)).hasMessageContaining("1 unexpected trailing");
        byte[] v9 = ok.clone();
        v9[2] = 9;
        assertThatThrownBy(() -> ExampleBinaryCodec.decode(v9)).hasMessageContaining("layout version 9 is not supported");
        byte[] magic = ok.clone();
        magic[0] = 'X';
        assertThatThrownBy(() -> ExampleBinaryCodec.decode(magic)).hasMessageContaining("bad magic");
    }

    @Test
    void refusesMalformedJsonWithAReason() {
        assertThatThrownBy(() -> decodeJson("{\"id\":\"a\",\"features\":[1,2"))
                .isInstanceOf(CodecException.class).hasMessageContaining("not valid JSON");
        assertThatThrownBy(() -> decodeJson("{\"features\":[1]}")).hasMessageContaining("missing required field 'id'");
        assertThatThrownBy(() -> decodeJson("{\"id\":\"a\"}")).hasMessageContaining("missing required field 'features'");
        assertThatThrownBy(() -> decodeJson("{\"id\":\"a\",\"features\":[1,\"x\"]}"))
                .hasMessageContaining("feature 1 must be a number, found string \"x\"");
        assertThatThrownBy(() -> decodeJson("{\"id\":\"a\",\"features\":[1],\"label\":\"cat\"}"))
                .hasMessageContaining("'label' must be a non-negative integer");
        assertThatThrownBy(() -> decodeJson("{\"id\":\"a\",\"features\":[1],\"label\":-2}"))
                .hasMessageContaining("'label' -2 is not a class index");
        assertThatThrownBy(() -> decodeJson("{\"id\":\"a\",\"dtype\":\"uint8\",\"features\":[256]}"))
                .hasMessageContaining("uint8 feature 0 is 256.0");
        assertThatThrownBy(() -> decodeJson("[1,2]")).hasMessageContaining("expected an object");
        assertThatThrownBy(() -> decodeJson("{\"id\":\"a\",\"features\":[]} {}")).hasMessageContaining("trailing");
    }

    @Test
    void dispatchesByContentTypeAndRefusesUnknownOnes() {
        Example e = Example.labeled("a", Features.ofFloats(1f), 0);
        assertThat(ExampleCodec.decode(ExampleJsonCodec.encode(e), "application/json; charset=utf-8")).isEqualTo(e);
        assertThat(ExampleCodec.decode(ExampleBinaryCodec.encode(e), ContentTypes.EXAMPLE_BINARY)).isEqualTo(e);
        assertThatThrownBy(() -> ExampleCodec.decode(ExampleJsonCodec.encode(e), "text/csv"))
                .hasMessageContaining("unsupported content-type 'text/csv'");
        assertThatThrownBy(() -> ExampleCodec.decode("hello".getBytes(StandardCharsets.UTF_8), (String) null))
                .hasMessageContaining("neither JSON");
        assertThatThrownBy(() -> ExampleCodec.decode(new byte[0], (String) null)).hasMessageContaining("empty record");
    }

    private static Example decodeJson(String s) {
        return ExampleJsonCodec.decode(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void theReadPositionTravelsWithTheExampleButNotOnTheWire() {
        Example e = Example.labeled("p1", Features.ofFloats(new float[] {1f, 2f}), 1);
        Example read = e.at(2, 10511);
        assertThat(read.position()).isEqualTo(new Example.Position(2, 10511));
        assertThat(read.id()).isEqualTo(e.id());
        assertThat(ExampleBinaryCodec.decode(ExampleBinaryCodec.encode(read))).isEqualTo(e);
        assertThat(ExampleJsonCodec.decode(ExampleJsonCodec.encode(read))).isEqualTo(e);
    }
}
