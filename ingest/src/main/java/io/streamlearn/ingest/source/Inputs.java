package io.streamlearn.ingest.source;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;

/** Opening source files (gzip recognized by its magic, not its name) and reading them line by line as bytes. */
final class Inputs {
    private static final int BUFFER = 1 << 20;

    private Inputs() {}

    /** A buffered stream over {@code file}, gunzipped when it starts with the gzip magic 1f 8b. */
    static InputStream open(Path file) {
        try {
            InputStream raw = new BufferedInputStream(Files.newInputStream(file), BUFFER);
            raw.mark(2);
            int b0 = raw.read();
            int b1 = raw.read();
            raw.reset();
            return b0 == 0x1f && b1 == 0x8b ? new BufferedInputStream(new GZIPInputStream(raw, BUFFER), BUFFER) : raw;
        } catch (NoSuchFileException e) {
            throw new SourceException("cannot read source file " + file + ": no such file", e);
        } catch (AccessDeniedException e) {
            throw new SourceException("cannot read source file " + file + ": permission denied", e);
        } catch (IOException e) {
            throw new SourceException("cannot read source file " + file + ": " + e, e);
        }
    }

    static void closeQuietly(InputStream in) {
        try {
            if (in != null) {
                in.close();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads lines as raw bytes (the exact bytes a dead letter keeps), without "\n" or a trailing "\r". */
    static final class LineReader {
        private final InputStream in;
        private final Path file;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream(256);
        private byte[] buf = new byte[8192];
        private int pos;
        private int limit;

        LineReader(InputStream in, Path file) {
            this.in = in;
            this.file = file;
        }

        /** The next line, or null at the end of the file. */
        byte[] readLine() {
            line.reset();
            boolean any = false;
            while (true) {
                if (pos == limit) {
                    try {
                        limit = in.read(buf, 0, buf.length);
                    } catch (IOException e) {
                        throw new SourceException("cannot read " + file + ": " + e, e);
                    }
                    pos = 0;
                    if (limit <= 0) {
                        limit = 0;
                        return any ? strip(line.toByteArray()) : null;
                    }
                }
                any = true;
                int start = pos;
                while (pos < limit && buf[pos] != '\n') {
                    pos++;
                }
                line.write(buf, start, pos - start);
                if (pos < limit) {
                    pos++;
                    return strip(line.toByteArray());
                }
            }
        }

        private static byte[] strip(byte[] b) {
            return b.length > 0 && b[b.length - 1] == '\r' ? Arrays.copyOf(b, b.length - 1) : b;
        }
    }
}
