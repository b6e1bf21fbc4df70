package io.streamlearn.core.example;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The compact binary form of an {@link Example}, for throughput. All numbers little-endian (numpy's
 * {@code '<f4'}, and the order the bytes are copied to the device in):
 *
 * <pre>
 * offset  size  field
 * 0       2     magic 'S' 'L' (0x53 0x4C)
 * 2       1     layout version, 1 or 2
 * 3       1     dtype: 1 = uint8, 2 = float32
 * 4       1     flags: bit 0 weight present, bit 1 timestamp present, bit 2 label present,
 *               bit 3 target present (version 2 only)
 * 5       2     id length L in bytes (u16)
 * 7       L     id, UTF-8
 * .       4     label (i32), only with flag bit 2
 * .       2     target value count T (u16, 1 ..= 65535), only with flag bit 3
 * .       T*4   target values (f32), only with flag bit 3
 * .       4     weight (f32), only with flag bit 0
 * .       8     timestamp, epoch ms (i64), only with flag bit 1
 * .       4     feature count N (i32, 0 ..= 16777216)
 * .       N*s   values: N bytes for uint8, N*4 bytes for float32
 * </pre>
 *
 * The record ends exactly after the values; trailing bytes are an error. Version 2 is version 1 plus the
 * target (flag bit 3); the writer uses version 1 for a record without a target, so classification data stays
 * readable by releases that know only version 1, and this reader reads both.
 */
public final class ExampleBinaryCodec {
    public static final byte MAGIC_0 = 'S';
    public static final byte MAGIC_1 = 'L';
    /** The newest layout version, written for records with a target. */
    public static final int VERSION = 2;
    /** The first layout, without targets: still written for records without one, and read. */
    public static final int VERSION_1 = 1;
    static final int FLAG_WEIGHT = 1;
    static final int FLAG_TIMESTAMP = 2;
    static final int FLAG_LABEL = 4;
    static final int FLAG_TARGET = 8;

    private ExampleBinaryCodec() {}

    /** Whether {@code value} starts with this layout's magic. */
    public static boolean hasMagic(byte[] value) {
        return value.length >= 2 && value[0] == MAGIC_0 && value[1] == MAGIC_1;
    }

    public static byte[] encode(Example e) {
        byte[] id = e.id().getBytes(StandardCharsets.UTF_8);
        if (id.length > Example.MAX_ID_BYTES) {
            throw new CodecException("example id is " + id.length + " bytes in UTF-8, more than the "
                    + Example.MAX_ID_BYTES + " the binary layout allows");
        }
        Features f = e.features();
        int flags = (e.weight() != 1f ? FLAG_WEIGHT : 0) | (e.hasTimestamp() ? FLAG_TIMESTAMP : 0)
                | (e.hasLabel() ? FLAG_LABEL : 0) | (e.hasTarget() ? FLAG_TARGET : 0);
        int size = 7 + id.length + (e.hasLabel() ? 4 : 0) + (e.hasTarget() ? 2 + 4 * e.target().length : 0)
                + ((flags & FLAG_WEIGHT) != 0 ? 4 : 0) + (e.hasTimestamp() ? 8 : 0) + 4
                + f.size() * f.type().bytesPerValue();
        ByteBuffer out = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        out.put(MAGIC_0).put(MAGIC_1).put((byte) (e.hasTarget() ? VERSION : VERSION_1)).put((byte) f.type().code())
                .put((byte) flags);
        out.putShort((short) id.length).put(id);
        if (e.hasLabel()) {
            out.putInt(e.label());
        }
        if (e.hasTarget()) {
            out.putShort((short) e.target().length);
            for (float v : e.target()) {
                out.putFloat(v);
            }
        }
        if ((flags & FLAG_WEIGHT) != 0) {
            out.putFloat(e.weight());
        }
        if (e.hasTimestamp()) {
            out.putLong(e.timestampMs());
        }
        out.putInt(f.size());
        if (f instanceof Features.Uint8 u) {
            out.put(u.values());
        } else if (f instanceof Features.Float32 fl) {
            out.asFloatBuffer().put(fl.values());
        }
        return out.array();
    }

    public static Example decode(byte[] value) {
        if (value == null || value.length == 0) {
            throw new CodecException("empty record: expected a binary example starting with magic 'SL'");
        }
        WireReader in = new WireReader(value, "binary example");
        int m0 = in.u8("magic");
        int m1 = in.u8("magic");
        if (m0 != MAGIC_0 || m1 != MAGIC_1) {
            throw new CodecException(String.format(
                    "binary example: bad magic 0x%02X%02X, expected 0x534C ('SL')", m0, m1));
        }
        int version = in.u8("version");
        if (version != VERSION && version != VERSION_1) {
            throw new CodecException("binary example: layout version " + version + " is not supported, this reader "
                    + "knows versions " + VERSION_1 + " and " + VERSION);
        }
        FeatureType type = FeatureType.ofCode(in.u8("dtype"));
        int flags = in.u8("flags");
        int known = FLAG_WEIGHT | FLAG_TIMESTAMP | FLAG_LABEL | (version >= 2 ? FLAG_TARGET : 0);
        if ((flags & ~known) != 0) {
            throw new CodecException("binary example: unknown flag bits 0x" + Integer.toHexString(flags)
                    + " for layout version " + version);
        }
        String id = in.utf8(in.u16("id length"), "id");
        int label = (flags & FLAG_LABEL) != 0 ? in.i32("label") : Example.NO_LABEL;
        float[] target = null;
        if ((flags & FLAG_TARGET) != 0) {
            int t = in.count(in.u16("target count"), 4, "target values");
            if (t == 0) {
                throw new CodecException("binary example " + id + ": target count 0, expected 1.."
                        + Example.MAX_TARGET_VALUES);
            }
            target = in.floats(t, "target values");
        }
        float weight = (flags & FLAG_WEIGHT) != 0 ? in.f32("weight") : 1f;
        long ts = (flags & FLAG_TIMESTAMP) != 0 ? in.i64("timestamp") : Example.NO_TIMESTAMP;
        int count = in.i32("feature count");
        if (count < 0 || count > Features.MAX_COUNT) {
            throw new CodecException("binary example " + id + ": feature count " + count + " is outside 0.."
                    + Features.MAX_COUNT);
        }
        Features features = type == FeatureType.UINT8
                ? Features.ofUint8(in.bytes(count, "uint8 values"))
                : Features.ofFloats(in.floats(count, "float32 values"));
        in.expectEnd();
        try {
            return new Example(id, features, label, target, weight, ts, null);
        } catch (IllegalArgumentException e) {
            throw new CodecException("binary example: " + e.getMessage(), e);
        }
    }
}
