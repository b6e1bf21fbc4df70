package io.streamlearn.ingest.source;

import io.streamlearn.core.example.Example;
import io.streamlearn.core.example.Features;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * MNIST-format IDX files, gzipped or not: an images file (magic 0x00000803, unsigned bytes, N x rows x
 * cols) and a labels file (0x00000801, N bytes). Pixels stay uint8. A file that ends early yields one
 * malformed record with the bytes that were there and then ends.
 *
 * <pre>{@code
 * try (IdxSource s = IdxSource.open("/usr/share/datasets/fashion-mnist/train")) { ... }
 * }</pre>
 */
public final class IdxSource extends LookaheadSource {
    /** Where Debian's dataset-fashion-mnist installs Fashion-MNIST. */
    public static final Path FASHION_MNIST_DIR = Path.of("/usr/share/datasets/fashion-mnist");
    static final String OCTET_STREAM = "application/octet-stream";
    private static final int IMAGES_MAGIC = 0x00000803;
    private static final int LABELS_MAGIC = 0x00000801;

    private final Path imagesFile;
    private final Path labelsFile;
    private final String idPrefix;
    private final DataInputStream images;
    private final DataInputStream labels;
    private final int count;
    private final int rows;
    private final int cols;
    private int index;
    private boolean ended;

    /**
     * @param imagesFile IDX3 images
     * @param labelsFile IDX1 labels, same count
     * @param idPrefix   ids are {@code idPrefix + index}
     */
    public IdxSource(Path imagesFile, Path labelsFile, String idPrefix) {
        this.imagesFile = imagesFile;
        this.labelsFile = labelsFile;
        this.idPrefix = idPrefix;
        InputStream imagesIn = Inputs.open(imagesFile);
        InputStream labelsIn = null;
        try {
            labelsIn = Inputs.open(labelsFile);
            this.images = new DataInputStream(imagesIn);
            this.labels = new DataInputStream(labelsIn);
            int[] imageHeader = header(images, imagesFile, IMAGES_MAGIC, 3);
            int[] labelHeader = header(labels, labelsFile, LABELS_MAGIC, 1);
            if (imageHeader[0] != labelHeader[0]) {
                throw new SourceException("IDX files disagree: " + imagesFile + " holds " + imageHeader[0]
                        + " images but " + labelsFile + " holds " + labelHeader[0] + " labels; pass the labels "
                        + "file that belongs to these images");
            }
            this.count = imageHeader[0];
            this.rows = imageHeader[1];
            this.cols = imageHeader[2];
        } catch (RuntimeException e) {
            Inputs.closeQuietly(imagesIn);
            Inputs.closeQuietly(labelsIn);
            throw e;
        }
    }

    /**
     * Resolves {@code PATH-or-NAME}: {@code IMAGES,LABELS}; an images file (the labels file is found by
     * replacing {@code images-idx3} with {@code labels-idx1}); a prefix such as {@code DIR/train} or
     * {@code DIR/t10k}; or {@code fashion-mnist/train} / {@code fashion-mnist/t10k} for Debian's copy.
     */
    public static IdxSource open(String pathOrName) {
        Path[] files = resolve(pathOrName);
        String base = files[0].getFileName().toString();
        int dash = base.indexOf('-');
        return new IdxSource(files[0], files[1], (dash > 0 ? base.substring(0, dash) : base) + "-");
    }

    static Path[] resolve(String pathOrName) {
        if (pathOrName.contains(",")) {
            String[] two = pathOrName.split(",", 2);
            return new Path[] {Path.of(two[0].trim()), Path.of(two[1].trim())};
        }
        Path p = Path.of(pathOrName);
        if (Files.isRegularFile(p)) {
            String name = p.getFileName().toString();
            if (!name.contains("images-idx3")) {
                throw new SourceException("idx:" + pathOrName + " is not an images file (name lacks 'images-idx3'); "
                        + "pass idx:IMAGES,LABELS");
            }
            return new Path[] {p, p.resolveSibling(name.replace("images-idx3", "labels-idx1"))};
        }
        List<Path> prefixes = new ArrayList<>(List.of(p));
        if (pathOrName.startsWith("fashion-mnist/")) {
            prefixes.add(FASHION_MNIST_DIR.resolve(pathOrName.substring("fashion-mnist/".length())));
        }
        List<Path> tried = new ArrayList<>();
        for (Path prefix : prefixes) {
            if (prefix.getFileName() == null) {
                continue;
            }
            for (String gz : new String[] {".gz", ""}) {
                Path images = prefix.resolveSibling(prefix.getFileName() + "-images-idx3-ubyte" + gz);
                tried.add(images);
                if (Files.isRegularFile(images)) {
                    return new Path[] {images, prefix.resolveSibling(prefix.getFileName() + "-labels-idx1-ubyte" + gz)};
                }
            }
        }
        throw new SourceException("cannot read source idx:" + pathOrName + ": no such file; tried " + tried
                + ". Pass idx:IMAGES,LABELS, an images file, a prefix such as DIR/train, or fashion-mnist/train"
                + " (needs Debian's dataset-fashion-mnist)");
    }

    private static int[] header(DataInputStream in, Path file, int magic, int dims) {
        try {
            int m = in.readInt();
            if (m != magic) {
                throw new SourceException(String.format("%s: IDX magic 0x%08X, expected 0x%08X (%s of unsigned bytes)",
                        file, m, magic, dims == 3 ? "3-d images" : "1-d labels"));
            }
            int[] out = new int[dims];
            for (int i = 0; i < dims; i++) {
                out[i] = in.readInt();
                if (out[i] < 0) {
                    throw new SourceException(file + ": IDX dimension " + i + " is " + out[i]);
                }
            }
            if (dims == 3 && (long) out[1] * out[2] > Features.MAX_COUNT) {
                throw new SourceException(file + ": images of " + out[1] + "x" + out[2] + " exceed "
                        + Features.MAX_COUNT + " features");
            }
            return out;
        } catch (EOFException e) {
            throw new SourceException(file + ": IDX header truncated", e);
        } catch (IOException e) {
            throw new SourceException("cannot read " + file + ": " + e, e);
        }
    }

    @Override
    protected SourceRecord read() {
        if (ended || index >= count) {
            return null;
        }
        int i = index++;
        String position = imagesFile.getFileName() + " image " + i;
        int size = rows * cols;
        byte[] pixels = new byte[size];
        int got;
        int label;
        try {
            got = images.readNBytes(pixels, 0, size);
            if (got < size) {
                ended = true;
                byte[] partial = java.util.Arrays.copyOf(pixels, got);
                return SourceRecord.malformed(partial, OCTET_STREAM, position, "truncated IDX image " + i + ": "
                        + got + " of " + size + " bytes; " + imagesFile + " ends before the " + count
                        + " images its header announces");
            }
            label = labels.read();
        } catch (IOException e) {
            throw new SourceException("cannot read " + imagesFile + " at image " + i + ": " + e, e);
        }
        if (label < 0) {
            ended = true;
            return SourceRecord.malformed(pixels, OCTET_STREAM, position, "truncated IDX labels: " + labelsFile
                    + " ends before label " + i + " of the " + count + " its header announces");
        }
        return SourceRecord.parsed(Example.labeled(idPrefix + i, Features.ofUint8(pixels), label), null, null,
                position);
    }

    /** Features per image (rows x cols). */
    public int featureCount() {
        return rows * cols;
    }

    /** Image rows. */
    public int rows() {
        return rows;
    }

    /** Image columns. */
    public int cols() {
        return cols;
    }

    @Override
    public long sizeHint() {
        return count;
    }

    @Override
    public void close() {
        Inputs.closeQuietly(images);
        Inputs.closeQuietly(labels);
    }
}
