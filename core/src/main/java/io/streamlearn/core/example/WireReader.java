package io.streamlearn.core.example;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Little-endian reads over a binary record that fail with the field's name and offset when bytes run out. */
public final class WireReader {
    private final ByteBuffer buffer;
    private final String what;

    public WireReader(byte[] bytes, String what) {
        this.buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        this.what = what;
    }

    private void need(long n, String field) {
        if (n < 0) {
            throw new CodecException(what + ": field '" + field + "' declares a negative length " + n + " at offset "
                    + buffer.position());
        }
        if (buffer.remaining() < n) {
            throw new CodecException(what + " truncated: field '" + field + "' needs " + n + " bytes at offset "
                    + buffer.position() + " but only " + buffer.remaining() + " remain (record is "
                    + buffer.limit() + " bytes)");
        }
    }

    public int u8(String field) {
        need(1, field);
        return buffer.get() & 0xFF;
    }

    public int u16(String field) {
        need(2, field);
        return buffer.getShort() & 0xFFFF;
    }

    public int i32(String field) {
        need(4, field);
        return buffer.getInt();
    }

    public long i64(String field) {
        need(8, field);
        return buffer.getLong();
    }

    public float f32(String field) {
        need(4, field);
        return buffer.getFloat();
    }

    public byte[] bytes(int n, String field) {
        need(n, field);
        byte[] out = new byte[n];
        buffer.get(out);
        return out;
    }

    /**
     * Checks a declared count of {@code bytesEach}-byte items against the bytes left before anything is allocated
     * for it, so that no count in an untrusted record can allocate more than the record holds.
     */
    public int count(int n, int bytesEach, String field) {
        need((long) n * bytesEach, field);
        return n;
    }

    public float[] floats(int n, String field) {
        need((long) n * 4, field);
        float[] out = new float[n];
        try {
            buffer.asFloatBuffer().get(out);
        } catch (BufferUnderflowException e) {
            throw new CodecException(what + " truncated in '" + field + "'", e);
        }
        buffer.position(buffer.position() + n * 4);
        return out;
    }

    public String utf8(int n, String field) {
        byte[] raw = bytes(n, field);
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(raw)).toString();
        } catch (CharacterCodingException e) {
            throw new CodecException(what + ": field '" + field + "' is not valid UTF-8", e);
        }
    }

    public int position() {
        return buffer.position();
    }

    /** Fails when bytes are left over: a record must be exactly as long as its header says. */
    public void expectEnd() {
        if (buffer.hasRemaining()) {
            throw new CodecException(what + ": " + buffer.remaining() + " unexpected trailing bytes after offset "
                    + buffer.position());
        }
    }
}
