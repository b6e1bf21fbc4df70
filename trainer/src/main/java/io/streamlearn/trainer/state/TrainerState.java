package io.streamlearn.trainer.state;

import io.streamlearn.core.example.CodecException;
import io.streamlearn.core.example.Example;
import io.streamlearn.core.example.ExampleBinaryCodec;
import io.streamlearn.core.io.DataBlobs;
import io.streamlearn.trainer.learn.LearningMetrics;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything the trainer must get back after a failure so that no example is lost or trained twice,
 * as one blob with a magic ({@code SLTS}) and a format version; unknown versions are refused.
 *
 * @param params          DJL parameter file bytes
 * @param optimizerState  optimizer moments and step counts ({@code OnlineOptimizer} format)
 * @param metrics         counters and learning metrics
 * @param buffered        examples received but not yet trained on
 * @param parentVersion   the last snapshot version this job published, 0 for none
 * @param driftState      the drift detector's state, empty when there is none
 * @param lineageId       the line of training this state continues ({@code SnapshotManifest#lineageId}), carried here
 *                        so that it survives a Flink restore; null when unknown (format 1)
 */
public record TrainerState(byte[] params, byte[] optimizerState, LearningMetrics metrics, List<Example> buffered,
        long parentVersion, byte[] driftState, String lineageId) {
    private static final int MAGIC = 0x534C5453; // "SLTS"
    /** Format written: 1 plus the lineage id. */
    public static final int FORMAT_VERSION = 2;
    /** The first format, without a lineage id; still read. */
    public static final int FORMAT_VERSION_1 = 1;
    // The longest lineage id read back: ids are UUIDs, this only bounds what a corrupt blob can allocate.
    private static final int MAX_LINEAGE_BYTES = 256;

    public byte[] encode() {
        return blob(MAGIC, FORMAT_VERSION, params.length + optimizerState.length + 4096, out -> {
            out.writeLong(parentVersion);
            writeMetrics(out, metrics);
            writeBytes(out, params);
            writeBytes(out, optimizerState);
            writeBytes(out, driftState);
            out.writeInt(buffered.size());
            for (Example e : buffered) {
                writeBytes(out, ExampleBinaryCodec.encode(e));
            }
            // Appended, so that format 1 is format 2 without its tail; empty: unknown.
            writeBytes(out, lineageId == null ? new byte[0] : lineageId.getBytes(StandardCharsets.UTF_8));
            // A regression model's error sums, an optional tail: a blob without it is a classifier's (or older),
            // and a reader that predates it stops before it.
            double[] regression = metrics.regressionState();
            if (regression.length > 0) {
                out.writeInt(regression.length);
                for (double v : regression) {
                    out.writeDouble(v);
                }
            }
        });
    }

    /** Writes every field of {@code m} (the layout formats 1 and 2 share; contributions reuse it). */
    static void writeMetrics(DataOutputStream out, LearningMetrics m) throws IOException {
        out.writeInt(m.classes);
        for (long v : new long[] {m.examples, m.steps, m.skippedSteps, m.rollbacks, m.correct, m.heldOut,
                m.heldOutCorrect, m.windowWrites}) {
            out.writeLong(v);
        }
        for (double v : new double[] {m.fadingCorrect, m.fadingCount, m.holdoutFadingCorrect, m.holdoutFadingCount,
                m.championFadingCorrect, m.championFadingCount, m.lastLoss, m.fadingLoss}) {
            out.writeDouble(v);
        }
        for (double[] arr : new double[][] {m.tp, m.fp, m.fn}) {
            for (double v : arr) {
                out.writeDouble(v);
            }
        }
        out.write(m.window);
    }

    /** Reads what {@link #writeMetrics} wrote, every count checked against the bytes left. */
    static LearningMetrics readMetrics(DataInputStream in) throws IOException {
        LearningMetrics m = new LearningMetrics(count(in, in.readInt(), 3 * Double.BYTES, "class count"));
        m.examples = in.readLong();
        m.steps = in.readLong();
        m.skippedSteps = in.readLong();
        m.rollbacks = in.readLong();
        m.correct = in.readLong();
        m.heldOut = in.readLong();
        m.heldOutCorrect = in.readLong();
        m.windowWrites = in.readLong();
        m.fadingCorrect = in.readDouble();
        m.fadingCount = in.readDouble();
        m.holdoutFadingCorrect = in.readDouble();
        m.holdoutFadingCount = in.readDouble();
        m.championFadingCorrect = in.readDouble();
        m.championFadingCount = in.readDouble();
        m.lastLoss = in.readDouble();
        m.fadingLoss = in.readDouble();
        for (double[] arr : new double[][] {m.tp, m.fp, m.fn}) {
            for (int k = 0; k < arr.length; k++) {
                arr[k] = in.readDouble();
            }
        }
        in.readFully(m.window);
        return m;
    }

    /** A blob of the trainer's state formats: {@code magic}, {@code version}, then {@code body}. */
    static byte[] blob(int magic, int version, int sizeHint, DataBlobs.Writer body) {
        return DataBlobs.write(sizeHint, out -> {
            out.writeInt(magic);
            out.writeInt(version);
            body.write(out);
        });
    }

    static void writeBytes(DataOutputStream out, byte[] b) throws IOException {
        out.writeInt(b.length);
        out.write(b);
    }

    static byte[] readBytes(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > in.available()) {
            throw new IOException("length " + n + " exceeds the " + in.available() + " bytes left");
        }
        return in.readNBytes(n);
    }

    /**
     * Reads a blob written by {@link #encode}.
     *
     * @throws IllegalStateException when {@code blob} is not a trainer state of this format, or is truncated or
     *     corrupt (the message says which); never another exception, whatever the bytes
     */
    public static TrainerState decode(byte[] blob) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(blob))) {
            int magic = in.readInt();
            if (magic != MAGIC) {
                throw new IllegalStateException("trainer state: bad magic 0x" + Integer.toHexString(magic)
                        + ", expected SLTS; this checkpoint was not written by the streamlearn trainer");
            }
            int version = in.readInt();
            if (version != FORMAT_VERSION && version != FORMAT_VERSION_1) {
                throw new IllegalStateException("trainer state format " + version + " is not supported by this "
                        + "version (knows " + FORMAT_VERSION + " and " + FORMAT_VERSION_1 + "); restore with the "
                        + "release that wrote it");
            }
            long parent = in.readLong();
            // Every count is checked against the bytes left before it sizes an allocation: a corrupt blob must
            // fail with this method's exception, never with NegativeArraySizeException or OutOfMemoryError.
            LearningMetrics m = readMetrics(in);
            byte[] params = readBytes(in);
            byte[] optimizer = readBytes(in);
            byte[] drift = readBytes(in);
            int n = count(in, in.readInt(), Integer.BYTES, "buffered example count");
            List<Example> buffered = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                buffered.add(ExampleBinaryCodec.decode(readBytes(in)));
            }
            String lineage = null;
            if (version >= 2) {
                byte[] id = readBytes(in);
                if (id.length > MAX_LINEAGE_BYTES) {
                    throw new IOException("lineage id of " + id.length + " bytes, at most " + MAX_LINEAGE_BYTES);
                }
                lineage = id.length == 0 ? null : new String(id, StandardCharsets.UTF_8);
                if (in.available() > 0) {
                    double[] regression = new double[count(in, in.readInt(), Double.BYTES, "regression metrics")];
                    for (int i = 0; i < regression.length; i++) {
                        regression[i] = in.readDouble();
                    }
                    m.restoreRegressionState(regression);
                }
            }
            return new TrainerState(params, optimizer, m, buffered, parent, drift, lineage);
        } catch (IOException | CodecException | IllegalArgumentException e) {
            throw new IllegalStateException("trainer state is truncated or corrupt: " + e.getMessage(), e);
        }
    }

    /** {@code n}, when that many items of {@code bytesEach} bytes fit in what is left of the blob. */
    static int count(DataInputStream in, int n, int bytesEach, String what) throws IOException {
        if (n < 0 || (long) n * bytesEach > in.available()) {
            throw new IOException(what + " " + n + " does not fit in the " + in.available() + " bytes left");
        }
        return n;
    }
}
