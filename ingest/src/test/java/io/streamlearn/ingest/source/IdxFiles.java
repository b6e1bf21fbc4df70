package io.streamlearn.ingest.source;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/** Writes small IDX image and label files for tests. */
public final class IdxFiles {
    private IdxFiles() {}

    /**
     * Writes {@code prefix-images-idx3-ubyte[.gz]} and {@code prefix-labels-idx1-ubyte[.gz]}: image i has every
     * pixel equal to i, labels as given. {@code cutImagesBytes} > 0 cuts that many bytes off the images file.
     */
    public static Path[] write(Path dir, String prefix, int rows, int cols, int[] labels, boolean gzip,
            int cutImagesBytes) throws IOException {
        ByteArrayOutputStream img = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(img);
        d.writeInt(0x00000803);
        d.writeInt(labels.length);
        d.writeInt(rows);
        d.writeInt(cols);
        for (int i = 0; i < labels.length; i++) {
            for (int p = 0; p < rows * cols; p++) {
                d.writeByte(i);
            }
        }
        byte[] imageBytes = img.toByteArray();
        if (cutImagesBytes > 0) {
            imageBytes = java.util.Arrays.copyOf(imageBytes, imageBytes.length - cutImagesBytes);
        }
        ByteArrayOutputStream lab = new ByteArrayOutputStream();
        DataOutputStream l = new DataOutputStream(lab);
        l.writeInt(0x00000801);
        l.writeInt(labels.length);
        for (int label : labels) {
            l.writeByte(label);
        }
        String gz = gzip ? ".gz" : "";
        Path images = dir.resolve(prefix + "-images-idx3-ubyte" + gz);
        Path labelsFile = dir.resolve(prefix + "-labels-idx1-ubyte" + gz);
        writeFile(images, imageBytes, gzip);
        writeFile(labelsFile, lab.toByteArray(), gzip);
        return new Path[] {images, labelsFile};
    }

    private static void writeFile(Path file, byte[] bytes, boolean gzip) throws IOException {
        try (OutputStream out = gzip ? new GZIPOutputStream(Files.newOutputStream(file)) : Files.newOutputStream(file)) {
            out.write(bytes);
        }
    }
}
