package io.streamlearn.core.example;

import java.util.Arrays;

/**
 * The feature vector of an example or request: uint8 (pixels, kept as bytes until they reach the
 * device) or float32.
 */
public sealed interface Features permits Features.Uint8, Features.Float32 {

    /** Largest feature count any codec accepts: 16 Mi values (64 MiB of float32). */
    int MAX_COUNT = 1 << 24;

    /** Number of feature values. */
    int size();

    /** Value {@code i} as a float (uint8 values are 0..255, not normalized). */
    float get(int i);

    /** The wire dtype of this vector. */
    FeatureType type();

    /** Index of the first non-finite value, or -1 when all are finite. */
    default int firstNonFinite() {
        return -1;
    }

    /** Features stored as unsigned bytes. */
    static Uint8 ofUint8(byte[] values) {
        return new Uint8(values);
    }

    /** Features stored as 32-bit floats. */
    static Float32 ofFloats(float... values) {
        return new Float32(values);
    }

    /** Refuses a missing vector (count -1) or one longer than any codec accepts. */
    private static void checkCount(String dtype, int count) {
        if (count < 0) {
            throw new IllegalArgumentException(dtype + " features must not be null");
        }
        if (count > MAX_COUNT) {
            throw new IllegalArgumentException("feature count " + count + " exceeds the maximum " + MAX_COUNT);
        }
    }

    /** Unsigned 8-bit features, for example pixels from an IDX file. */
    record Uint8(byte[] values) implements Features {
        public Uint8 {
            checkCount("uint8", values == null ? -1 : values.length);
        }

        @Override
        public int size() {
            return values.length;
        }

        @Override
        public float get(int i) {
            return values[i] & 0xFF;
        }

        @Override
        public FeatureType type() {
            return FeatureType.UINT8;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Uint8 other && Arrays.equals(values, other.values);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(values);
        }

        @Override
        public String toString() {
            return "Uint8[" + values.length + "]";
        }
    }

    /** 32-bit float features. */
    record Float32(float[] values) implements Features {
        public Float32 {
            checkCount("float32", values == null ? -1 : values.length);
        }

        @Override
        public int size() {
            return values.length;
        }

        @Override
        public float get(int i) {
            return values[i];
        }

        @Override
        public FeatureType type() {
            return FeatureType.FLOAT32;
        }

        @Override
        public int firstNonFinite() {
            for (int i = 0; i < values.length; i++) {
                if (!Float.isFinite(values[i])) {
                    return i;
                }
            }
            return -1;
        }

        @Override
        public boolean equals(Object o) {
            // Arrays.equals compares floats by bits, so NaN equals NaN: what a codec round trip needs.
            return o instanceof Float32 other && Arrays.equals(values, other.values);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(values);
        }

        @Override
        public String toString() {
            return "Float32" + (values.length <= 8 ? Arrays.toString(values) : "[" + values.length + "]");
        }
    }
}
