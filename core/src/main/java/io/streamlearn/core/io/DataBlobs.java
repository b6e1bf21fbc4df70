package io.streamlearn.core.io;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/** The bytes of a binary format written through one {@link DataOutputStream} (states, checkpoint blobs). */
public final class DataBlobs {
    /** Writes a blob's fields. */
    public interface Writer {
        void write(DataOutputStream out) throws IOException;
    }

    private DataBlobs() {}

    /** What {@code body} writes; writing to memory cannot fail, so an IOException here is a bug and unchecked. */
    public static byte[] write(int sizeHint, Writer body) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(sizeHint);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            body.write(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }
}
