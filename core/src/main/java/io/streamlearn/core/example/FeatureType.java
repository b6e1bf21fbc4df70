package io.streamlearn.core.example;

/** The element type of a feature vector on the wire, with its binary-layout code. */
public enum FeatureType {
    UINT8(1, 1),
    FLOAT32(2, 4);

    private final int code;
    private final int bytesPerValue;

    FeatureType(int code, int bytesPerValue) {
        this.code = code;
        this.bytesPerValue = bytesPerValue;
    }

    /** The byte that names this type in the binary layout. */
    public int code() {
        return code;
    }

    /** Size of one value on the wire. */
    public int bytesPerValue() {
        return bytesPerValue;
    }

    /** The type with binary code {@code code}; throws {@link CodecException} for an unknown code. */
    public static FeatureType ofCode(int code) {
        for (FeatureType t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        throw new CodecException("unknown feature dtype code " + code + ", expected 1 (uint8) or 2 (float32)");
    }
}
