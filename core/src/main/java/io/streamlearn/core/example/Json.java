package io.streamlearn.core.example;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.BiFunction;

/**
 * The one JSON configuration streamlearn uses: NaN and Infinity are read and written bare (as
 * Python's {@code json} module does) so that validation, not the parser, rejects them with a reason.
 * Floats are parsed by Jackson's fast parser (correctly rounded: the same values as the JDK's).
 */
public final class Json {
    public static final JsonFactory FACTORY = JsonFactory.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .disable(JsonWriteFeature.WRITE_NAN_AS_STRINGS)
            .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
            .build();

    // FACTORY plus Jackson's Schubfach float writer: on Java 17 Float.toString was a sixth of serving's answer
    // thread. Only for records whose bytes nothing signs: the writer prints the shortest decimal that reads back
    // exactly, which for some values differs from the JDK's digits, and a manifest's signature covers its JSON
    // re-written by MAPPER (SnapshotManifest.signedContent), so manifests keep FACTORY's digits.
    private static final JsonFactory SHORTEST_FLOATS = FACTORY.rebuild()
            .enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER).build();

    public static final ObjectMapper MAPPER = JsonMapper.builder(FACTORY)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET)
            .build();

    private Json() {}

    /** Writes one compact JSON value with {@link #FACTORY} (NaN bare) and returns its bytes. */
    public static byte[] write(int sizeHint, Body body) {
        return write(FACTORY, sizeHint, body);
    }

    /**
     * As {@link #write}, each float as the shortest decimal that reads back exactly (Jackson's Schubfach writer,
     * several times faster than Java 17's {@code Float.toString}): for per-record codecs, never for signed content.
     */
    public static byte[] writeShortestFloats(int sizeHint, Body body) {
        return write(SHORTEST_FLOATS, sizeHint, body);
    }

    private static byte[] write(JsonFactory factory, int sizeHint, Body body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(sizeHint);
        try (JsonGenerator g = factory.createGenerator(out)) {
            body.writeTo(g);
        } catch (IOException e) {
            // Only a bug in the body can fail here: the target is memory.
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /**
     * Reads {@code value} as one JSON object, the tree codecs' one policy for bad input: an empty record, text
     * that is not JSON and a value that is not an object each become {@code error}'s exception (the cause kept
     * where there is one), its message starting with {@code what}, e.g. {@code "JSON prediction"}.
     */
    public static JsonNode readObject(byte[] value, String what,
            BiFunction<String, Throwable, ? extends RuntimeException> error) {
        if (value == null || value.length == 0) {
            throw error.apply("empty record: expected a JSON object (" + what + ")", null);
        }
        JsonNode n;
        try {
            n = MAPPER.readTree(value);
        } catch (JsonProcessingException e) {
            throw error.apply(what + ": not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            // The source is memory, so this is the bytes' encoding: Jackson takes a record starting with NULs
            // for UTF-16 or UTF-32, whose readers fail with CharConversionException, not JsonProcessingException.
            throw error.apply(what + ": not valid JSON text: " + e.getMessage(), e);
        }
        if (n == null || !n.isObject()) {
            throw error.apply(what + ": expected a JSON object", null);
        }
        return n;
    }

    /**
     * Writes {@code values} as field {@code name}: a bare number when there is one value (a scalar regression
     * target or predicted value, the common case), an array otherwise.
     */
    public static void writeNumberOrArray(JsonGenerator g, String name, float[] values) throws IOException {
        if (values.length == 1) {
            g.writeNumberField(name, values[0]);
            return;
        }
        g.writeArrayFieldStart(name);
        for (float v : values) {
            g.writeNumber(v);
        }
        g.writeEndArray();
    }

    /**
     * Reads a field written by {@link #writeNumberOrArray}: a number or a non-empty array of numbers; null when the
     * field is absent or null. Anything else is {@code error}'s exception naming {@code what} and the field.
     */
    public static float[] readNumberOrArray(JsonNode n, String name, String what,
            BiFunction<String, Throwable, ? extends RuntimeException> error) {
        JsonNode v = n.get(name);
        if (v == null || v.isNull()) {
            return null;
        }
        if (v.isNumber()) {
            return new float[] {v.floatValue()};
        }
        if (!v.isArray() || v.isEmpty()) {
            throw error.apply(what + ": '" + name + "' must be a number or a non-empty array of numbers, found " + v,
                    null);
        }
        float[] out = new float[v.size()];
        for (int i = 0; i < out.length; i++) {
            if (!v.get(i).isNumber()) {
                throw error.apply(what + ": '" + name + "' value " + i + " must be a number, found " + v.get(i), null);
            }
            out[i] = v.get(i).floatValue();
        }
        return out;
    }

    /** What {@link #write} puts into the generator. */
    @FunctionalInterface
    public interface Body {
        void writeTo(JsonGenerator g) throws IOException;
    }
}
