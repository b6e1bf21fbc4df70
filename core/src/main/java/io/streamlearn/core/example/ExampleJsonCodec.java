package io.streamlearn.core.example;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/**
 * The JSON form of an {@link Example}, writable by any producer in any language:
 * {@code {"id":"e1","features":[0.5,1.0],"label":3,"weight":1.0,"ts":1700000000000,"dtype":"float32"}}, or for
 * regression {@code {"id":"e2","features":[0.5,1.0],"target":1.5}} ({@code target} a number or an array of numbers).
 * {@code id} and {@code features} are required; {@code label} and {@code target} are absent on a prediction request;
 * {@code dtype} is {@code float32} (default) or {@code uint8} (features 0..255); unknown fields are ignored.
 */
public final class ExampleJsonCodec {
    private ExampleJsonCodec() {}

    public static byte[] encode(Example e) {
        return Json.writeShortestFloats(32 + e.features().size() * 6, g -> {
            g.writeStartObject();
            g.writeStringField("id", e.id());
            if (e.features() instanceof Features.Uint8) {
                g.writeStringField("dtype", "uint8");
            }
            g.writeArrayFieldStart("features");
            Features f = e.features();
            if (f instanceof Features.Uint8 u) {
                for (byte b : u.values()) {
                    g.writeNumber(b & 0xFF);
                }
            } else if (f instanceof Features.Float32 fl) {
                for (float v : fl.values()) {
                    g.writeNumber(v);
                }
            }
            g.writeEndArray();
            if (e.hasLabel()) {
                g.writeNumberField("label", e.label());
            }
            if (e.hasTarget()) {
                Json.writeNumberOrArray(g, "target", e.target());
            }
            if (e.weight() != 1f) {
                g.writeNumberField("weight", e.weight());
            }
            if (e.hasTimestamp()) {
                g.writeNumberField("ts", e.timestampMs());
            }
            g.writeEndObject();
        });
    }

    public static Example decode(byte[] value) {
        if (value == null || value.length == 0) {
            throw new CodecException("empty record: expected a JSON example object");
        }
        String id = null;
        float[] features = null;
        String dtype = "float32";
        int label = Example.NO_LABEL;
        float[] target = null;
        float weight = 1f;
        long ts = Example.NO_TIMESTAMP;
        try (JsonParser p = Json.FACTORY.createParser(value)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new CodecException("JSON example: expected an object, found " + p.currentToken());
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken t = p.nextToken();
                switch (field) {
                    case "id" -> id = t == JsonToken.VALUE_STRING || t == JsonToken.VALUE_NUMBER_INT
                            ? p.getText() : fail("'id' must be a string, found " + t);
                    case "features" -> features = readFloats(p, t);
                    case "label" -> label = t == JsonToken.VALUE_NULL ? Example.NO_LABEL : readLabel(p, t);
                    case "target" -> target = t == JsonToken.VALUE_NULL ? null : readTarget(p, t);
                    case "weight" -> weight = t == JsonToken.VALUE_NUMBER_FLOAT || t == JsonToken.VALUE_NUMBER_INT
                            ? p.getFloatValue() : fail("'weight' must be a number, found " + t);
                    case "ts" -> ts = t == JsonToken.VALUE_NUMBER_INT
                            ? p.getLongValue() : fail("'ts' must be an integer (epoch ms), found " + t);
                    case "dtype" -> dtype = t == JsonToken.VALUE_STRING
                            ? p.getText() : fail("'dtype' must be a string, found " + t);
                    default -> p.skipChildren();
                }
            }
            if (p.currentToken() != JsonToken.END_OBJECT) {
                throw new CodecException("JSON example: malformed object near " + p.currentLocation());
            }
            if (p.nextToken() != null) {
                throw new CodecException("JSON example: trailing content after the object");
            }
        } catch (JsonProcessingException ex) {
            throw new CodecException("JSON example: not valid JSON: " + ex.getOriginalMessage()
                    + " at " + ex.getLocation().offsetDescription(), ex);
        } catch (IOException ex) {
            // The source is memory, so this is the bytes' encoding: Jackson takes a record starting with NULs
            // for UTF-16 or UTF-32, whose readers fail with CharConversionException, not JsonProcessingException.
            throw new CodecException("JSON example: not valid JSON text: " + ex.getMessage(), ex);
        }
        if (id == null || id.isEmpty()) {
            throw new CodecException("JSON example: missing required field 'id'");
        }
        if (features == null) {
            throw new CodecException("JSON example " + id + ": missing required field 'features'");
        }
        try {
            return new Example(id, toFeatures(id, features, dtype), label, target, weight, ts, null);
        } catch (IllegalArgumentException ex) {
            throw new CodecException("JSON example: " + ex.getMessage(), ex);
        }
    }

    private static Features toFeatures(String id, float[] values, String dtype) {
        switch (dtype) {
            case "float32":
                return Features.ofFloats(values);
            case "uint8":
                byte[] bytes = new byte[values.length];
                for (int i = 0; i < values.length; i++) {
                    float v = values[i];
                    if (!(v >= 0 && v <= 255) || v != Math.rint(v)) {
                        throw new CodecException("JSON example " + id + ": uint8 feature " + i + " is " + v
                                + ", expected an integer 0..255");
                    }
                    bytes[i] = (byte) (int) v;
                }
                return Features.ofUint8(bytes);
            default:
                throw new CodecException("JSON example " + id + ": unknown dtype '" + dtype
                        + "', expected float32 or uint8");
        }
    }

    private static int readLabel(JsonParser p, JsonToken t) throws IOException {
        if (t != JsonToken.VALUE_NUMBER_INT) {
            throw new CodecException("JSON example: 'label' must be a non-negative integer class index, found "
                    + (t == JsonToken.VALUE_STRING ? "string \"" + p.getText() + "\"" : p.getText()));
        }
        long v = p.getLongValue();
        if (v < 0 || v > Integer.MAX_VALUE) {
            throw new CodecException("JSON example: 'label' " + v + " is not a class index (0.."
                    + Integer.MAX_VALUE + ")");
        }
        return (int) v;
    }

    private static float[] readTarget(JsonParser p, JsonToken t) throws IOException {
        if (t == JsonToken.VALUE_NUMBER_FLOAT || t == JsonToken.VALUE_NUMBER_INT) {
            return new float[] {p.getFloatValue()};
        }
        if (t != JsonToken.START_ARRAY) {
            throw new CodecException("JSON example: 'target' must be a number or an array of numbers, found "
                    + (t == JsonToken.VALUE_STRING ? "string \"" + p.getText() + "\"" : String.valueOf(t)));
        }
        float[] buf = new float[4];
        int n = 0;
        JsonToken v;
        while ((v = p.nextToken()) != JsonToken.END_ARRAY) {
            if (v != JsonToken.VALUE_NUMBER_FLOAT && v != JsonToken.VALUE_NUMBER_INT) {
                throw new CodecException("JSON example: target value " + n + " must be a number, found " + v);
            }
            if (n == Example.MAX_TARGET_VALUES) {
                throw new CodecException("JSON example: more than " + Example.MAX_TARGET_VALUES + " target values");
            }
            if (n == buf.length) {
                buf = java.util.Arrays.copyOf(buf, Math.min(Example.MAX_TARGET_VALUES, buf.length * 2));
            }
            buf[n++] = p.getFloatValue();
        }
        if (n == 0) {
            throw new CodecException("JSON example: 'target' is an empty array, expected at least one number");
        }
        return java.util.Arrays.copyOf(buf, n);
    }

    private static float[] readFloats(JsonParser p, JsonToken t) throws IOException {
        if (t != JsonToken.START_ARRAY) {
            throw new CodecException("JSON example: 'features' must be an array of numbers, found " + t);
        }
        float[] buf = new float[64];
        int n = 0;
        JsonToken v;
        while ((v = p.nextToken()) != JsonToken.END_ARRAY) {
            if (v != JsonToken.VALUE_NUMBER_FLOAT && v != JsonToken.VALUE_NUMBER_INT) {
                throw new CodecException("JSON example: feature " + n + " must be a number, found "
                        + (v == JsonToken.VALUE_STRING ? "string \"" + p.getText() + "\"" : String.valueOf(v)));
            }
            if (n == Features.MAX_COUNT) {
                throw new CodecException("JSON example: more than " + Features.MAX_COUNT + " features");
            }
            if (n == buf.length) {
                buf = java.util.Arrays.copyOf(buf, Math.min(Features.MAX_COUNT, buf.length * 2));
            }
            buf[n++] = p.getFloatValue();
        }
        return java.util.Arrays.copyOf(buf, n);
    }

    private static <T> T fail(String message) {
        throw new CodecException("JSON example: " + message);
    }
}
