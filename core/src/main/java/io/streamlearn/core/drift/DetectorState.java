package io.streamlearn.core.drift;

import io.streamlearn.core.io.DataBlobs;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The layout of a detector's state blob: magic {@code SLDD}, format version (one byte), kind (UTF),
 * then the kind's own fields. Big-endian, as {@link DataOutputStream} writes.
 */
final class DetectorState {
    static final int MAGIC = 0x534C4444; // "SLDD"
    static final int VERSION = 1;

    private DetectorState() {}

    /** The fields of one kind of detector. */
    interface Body {
        void write(DataOutputStream out) throws IOException;
    }

    static byte[] encode(String kind, Body body) {
        return DataBlobs.write(256, out -> {
            out.writeInt(MAGIC);
            out.writeByte(VERSION);
            out.writeUTF(kind);
            body.write(out);
        });
    }

    static DriftDetector restore(byte[] state) {
        if (state == null || state.length < 5) {
            throw new IllegalArgumentException("drift detector state: " + (state == null ? "null" : state.length
                    + " bytes") + " is too short to be one; pass the bytes DriftDetector.state() returned");
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(state))) {
            int magic = in.readInt();
            if (magic != MAGIC) {
                throw new IllegalArgumentException("drift detector state: magic 0x" + Integer.toHexString(magic)
                        + ", expected 0x" + Integer.toHexString(MAGIC) + " (SLDD); pass the bytes DriftDetector.state() "
                        + "returned");
            }
            int version = in.readUnsignedByte();
            if (version != VERSION) {
                throw new IllegalArgumentException("drift detector state: format version " + version
                        + " is not supported, this reader knows version " + VERSION + "; restore it with the "
                        + "streamlearn release that wrote it");
            }
            String kind = in.readUTF();
            DriftDetector d = switch (kind) {
                case Adwin.NAME -> Adwin.read(in);
                case PageHinkley.NAME -> PageHinkley.read(in);
                default -> throw new IllegalArgumentException("drift detector state: unknown kind '" + kind
                        + "', this reader knows " + Adwin.NAME + " and " + PageHinkley.NAME);
            };
            if (in.available() > 0) {
                throw new IllegalArgumentException("drift detector state of " + kind + ": " + in.available()
                        + " trailing bytes after the detector's fields");
            }
            return d;
        } catch (EOFException e) {
            throw new IllegalArgumentException("drift detector state: truncated (" + state.length + " bytes)", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void requireFinite(String detector, double x) {
        if (!Double.isFinite(x)) {
            throw new IllegalArgumentException(detector + ": input " + x + " is not finite; feed finite errors or "
                    + "losses only (skip the examples whose loss is not finite)");
        }
    }
}
