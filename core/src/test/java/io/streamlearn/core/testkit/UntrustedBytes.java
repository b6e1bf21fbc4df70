package io.streamlearn.core.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * Generators of hostile input for property tests of decoders that read bytes from the network or from disk
 * (codecs, manifests, checkpoint blobs), and the one check they all make: a decoder returns or throws its
 * documented exception, and never allocates more than the input could justify.
 *
 * <pre>{@code
 * @Property(tries = 10_000, seed = "16")
 * void binaryExamplesDecodeOrRefuse(@ForAll("untrusted") byte[] value) {
 *     UntrustedBytes.assertDecodesOrRefuses(value, CodecException.class, ExampleBinaryCodec::decode);
 * }
 *
 * @Provide
 * Arbitrary<byte[]> untrusted() {
 *     return UntrustedBytes.untrusted(examples.map(ExampleBinaryCodec::encode), new byte[] {'S', 'L', 1});
 * }
 * }</pre>
 */
public final class UntrustedBytes {
    /**
     * What a decoder may allocate beyond a small multiple of its input: Jackson's parser buffers and the
     * exception with its message. A length or count taken from the input without a check allocates megabytes.
     */
    static final long ALLOCATION_SLACK_BYTES = 128 * 1024;
    /** Bytes a decoder may allocate per input byte: a record decoded into objects, and a JSON tree. */
    static final long ALLOCATION_PER_INPUT_BYTE = 64;

    /** Values a JSON mutation puts where a value was: out of range, of the wrong type, or empty. */
    private static final List<String> JSON_VALUES = List.of("-1", "0", "2147483648", "-9223372036854775809",
            "1e999999", "-1e-999999", "99999999999999999999999999", "NaN", "null", "true", "\"\"", "\"x\"", "[]", "{}",
            "[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]", "{\"\":{\"\":{\"\":null}}}", "\"\\ud800\"");

    /** The first byte of every JSON object: a JSON decoder's "magic". */
    public static final byte[] JSON_START = {'{'};

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private UntrustedBytes() {}

    /** Arbitrary bytes, 0 to {@code maxSize} long. */
    public static Arbitrary<byte[]> anyBytes(int maxSize) {
        return Arbitraries.bytes().array(byte[].class).ofMinSize(0).ofMaxSize(maxSize);
    }

    /**
     * Valid encodings and their mutations: truncated, bit-flipped, a 1-, 2-, 4- or 8-byte field at a random offset
     * set to a huge, negative or zero value (in either byte order, so a length or count of either layout is hit),
     * bytes cut out or inserted, and in JSON a value replaced by one out of range or of another type.
     */
    public static Arbitrary<byte[]> mutated(Arbitrary<byte[]> valid) {
        return Combinators.combine(valid, Arbitraries.randoms(), Arbitraries.integers().between(1, 4))
                .as((bytes, random, rounds) -> {
                    byte[] out = bytes;
                    for (int i = 0; i < rounds; i++) {
                        out = mutate(out, random);
                    }
                    return out;
                });
    }

    /**
     * What a decoder faces from an untrusted source: arbitrary bytes, arbitrary bytes behind the format's magic
     * (to get past its first check), valid encodings and, most often, their mutations.
     */
    public static Arbitrary<byte[]> untrusted(Arbitrary<byte[]> valid, byte[] magic) {
        Arbitrary<byte[]> behindMagic = anyBytes(256).map(tail -> concat(magic, tail));
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(1, anyBytes(256)),
                net.jqwik.api.Tuple.of(2, behindMagic),
                net.jqwik.api.Tuple.of(1, valid),
                net.jqwik.api.Tuple.of(8, mutated(valid)));
    }

    /**
     * {@link #untrusted} over both encodings of the same values: a binary one behind {@code binaryMagic} and JSON,
     * so that each decoder also meets the other's bytes (as a sniffing decoder does).
     */
    public static <T> Arbitrary<byte[]> untrustedEncodings(Arbitrary<T> values, Function<T, byte[]> binary,
            byte[] binaryMagic, Function<T, byte[]> json) {
        return Arbitraries.oneOf(untrusted(values.map(binary), binaryMagic), untrusted(values.map(json), JSON_START));
    }

    /** {@link #assertDecodesOrRefuses(byte[], Class, Function)} for each of {@code decoders}. */
    @SafeVarargs
    public static <E extends RuntimeException> void assertDecodesOrRefuses(byte[] input, Class<E> refusal,
            Function<byte[], ?>... decoders) {
        for (Function<byte[], ?> decoder : decoders) {
            assertDecodesOrRefuses(input, refusal, decoder);
        }
    }

    /**
     * Decodes {@code input} and checks the contract every decoder of untrusted bytes keeps: it returns a value or
     * throws {@code refusal} (with a message), nothing else, and it allocates no more than the input justifies.
     */
    public static <E extends RuntimeException> void assertDecodesOrRefuses(byte[] input, Class<E> refusal,
            Function<byte[], ?> decoder) {
        long limit = ALLOCATION_SLACK_BYTES + ALLOCATION_PER_INPUT_BYTE * input.length;
        Decoded first = decode(input, decoder);
        // Decoders are pure: a call over the limit is measured again, so that a one-time cost of this thread
        // (Jackson's buffer recycler, loading an exception's class) does not count as the input's doing.
        Decoded decoded = first.allocatedBytes() <= limit ? first : decode(input, decoder);
        Throwable thrown = decoded.thrown();
        if (thrown != null && !refusal.isInstance(thrown)) {
            throw new AssertionError("decoding " + describe(input) + " threw " + thrown + ", expected only "
                    + refusal.getSimpleName(), thrown);
        }
        if (thrown != null) {
            assertThat(thrown.getMessage()).as("the refusal of %s says why", describe(input)).isNotBlank();
        }
        assertThat(decoded.allocatedBytes()).as("bytes allocated decoding %s (%d bytes in)", describe(input),
                input.length).isLessThanOrEqualTo(limit);
    }

    private record Decoded(Throwable thrown, long allocatedBytes) {}

    private static Decoded decode(byte[] input, Function<byte[], ?> decoder) {
        long before = THREADS.getCurrentThreadAllocatedBytes();
        Throwable thrown = null;
        try {
            decoder.apply(input);
        } catch (Throwable t) { // NOPMD: the property is that nothing but the refusal escapes
            thrown = t;
        }
        return new Decoded(thrown, THREADS.getCurrentThreadAllocatedBytes() - before);
    }

    private static byte[] mutate(byte[] in, Random r) {
        if (in.length == 0) {
            return new byte[] {(byte) r.nextInt()};
        }
        byte[] out = in.clone();
        switch (r.nextInt(7)) {
            case 0 -> out = Arrays.copyOf(in, r.nextInt(in.length));
            case 1 -> {
                for (int flips = 1 + r.nextInt(8); flips > 0; flips--) {
                    int bit = r.nextInt(in.length * 8);
                    out[bit / 8] ^= (byte) (1 << (bit % 8));
                }
            }
            case 2 -> {
                int width = new int[] {1, 2, 4, 8}[r.nextInt(4)];
                int at = r.nextInt(in.length);
                byte[] value = extreme(width, r);
                System.arraycopy(value, 0, out, at, Math.min(width, in.length - at));
            }
            case 3 -> {
                int from = r.nextInt(in.length);
                int to = from + r.nextInt(in.length - from + 1);
                out = concat(Arrays.copyOf(in, from), Arrays.copyOfRange(in, to, in.length));
            }
            case 4 -> {
                int at = r.nextInt(in.length + 1);
                byte[] junk = new byte[1 + r.nextInt(16)];
                r.nextBytes(junk);
                out = concat(concat(Arrays.copyOf(in, at), junk), Arrays.copyOfRange(in, at, in.length));
            }
            default -> out = replaceJsonValue(in, r);
        }
        return out;
    }

    /** A field's bytes set to the largest, the smallest or a zero value, big- or little-endian. */
    private static byte[] extreme(int width, Random r) {
        byte[] value = new byte[width];
        switch (r.nextInt(4)) {
            case 0 -> Arrays.fill(value, (byte) 0xFF);
            case 1 -> {
                Arrays.fill(value, (byte) 0xFF);
                value[r.nextBoolean() ? 0 : width - 1] = 0x7F;
            }
            case 2 -> value[r.nextBoolean() ? 0 : width - 1] = (byte) 0x80;
            default -> { } // zero
        }
        return value;
    }

    /** The value after a random ':' replaced by one of {@link #JSON_VALUES}; other bytes are left as they are. */
    private static byte[] replaceJsonValue(byte[] in, Random r) {
        String text = new String(in, StandardCharsets.ISO_8859_1);
        int colon = text.indexOf(':', r.nextInt(text.length()));
        if (colon < 0) {
            colon = text.indexOf(':');
        }
        if (colon < 0) {
            return in;
        }
        int end = colon + 1;
        int depth = 0;
        boolean quoted = false;
        for (; end < text.length(); end++) {
            char c = text.charAt(end);
            if (c == '"' && text.charAt(end - 1) != '\\') {
                quoted = !quoted;
            } else if (!quoted && (c == '{' || c == '[')) {
                depth++;
            } else if (!quoted && (c == '}' || c == ']')) {
                if (depth-- == 0) {
                    break;
                }
            } else if (!quoted && depth == 0 && c == ',') {
                break;
            }
        }
        String replaced = text.substring(0, colon + 1) + JSON_VALUES.get(r.nextInt(JSON_VALUES.size()))
                + text.substring(end);
        return replaced.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static String describe(byte[] input) {
        int shown = Math.min(input.length, 96);
        StringBuilder hex = new StringBuilder();
        for (int i = 0; i < shown; i++) {
            hex.append(String.format("%02x", input[i]));
        }
        return "[" + hex + (shown < input.length ? "… (" + input.length + " bytes)" : "") + "]";
    }
}
