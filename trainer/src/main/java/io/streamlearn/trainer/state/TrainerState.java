package io.streamlearn.trainer.state;

import io.streamlearn.core.example.Example;
import io.streamlearn.core.example.ExampleBinaryCodec;
import io.streamlearn.trainer.learn.LearningMetrics;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything the trainer must get back after a failure so that no example is lost or trained twice,
 * as one blob with a magic ({@code SLTS}) and a format version; unknown versions are refused.
 *
 * @param params         DJL parameter file bytes
 * @param metrics        counters and learning metrics
 * @param buffered       examples received but not yet trained on
 * @param parentVersion  the last snapshot version this job published, 0 for none
 */
public record TrainerState(byte[] params, LearningMetrics metrics, List<Example> buffered, long parentVersion) {
    private static final int MAGIC = 0x534C5453; // "SLTS"
    public static final int FORMAT_VERSION = 1;

    public byte[] encode() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(params.length + 1024);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(MAGIC);
            out.writeInt(FORMAT_VERSION);
            out.writeLong(parentVersion);
            LearningMetrics m = metrics;
            for (long v : new long[] {m.examples, m.steps, m.skippedSteps, m.correct, m.heldOut, m.heldOutCorrect}) {
                out.writeLong(v);
            }
            for (double v : new double[] {m.fadingCorrect, m.fadingCount, m.holdoutFadingCorrect, m.holdoutFadingCount,
                    m.lastLoss}) {
                out.writeDouble(v);
            }
            out.writeInt(params.length);
            out.write(params);
            out.writeInt(buffered.size());
            for (Example e : buffered) {
                byte[] b = ExampleBinaryCodec.encode(e);
                out.writeInt(b.length);
                out.write(b);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    public static TrainerState decode(byte[] blob) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(blob))) {
            int magic = in.readInt();
            if (magic != MAGIC) {
                throw new IllegalStateException("trainer state: bad magic 0x" + Integer.toHexString(magic)
                        + ", expected SLTS; this checkpoint was not written by the streamlearn trainer");
            }
            int version = in.readInt();
            if (version != FORMAT_VERSION) {
                throw new IllegalStateException("trainer state format " + version + " is not supported by this "
                        + "version (knows " + FORMAT_VERSION + "); restore with the release that wrote it");
            }
            long parent = in.readLong();
            LearningMetrics m = new LearningMetrics();
            m.examples = in.readLong();
            m.steps = in.readLong();
            m.skippedSteps = in.readLong();
            m.correct = in.readLong();
            m.heldOut = in.readLong();
            m.heldOutCorrect = in.readLong();
            m.fadingCorrect = in.readDouble();
            m.fadingCount = in.readDouble();
            m.holdoutFadingCorrect = in.readDouble();
            m.holdoutFadingCount = in.readDouble();
            m.lastLoss = in.readDouble();
            byte[] params = in.readNBytes(in.readInt());
            int n = in.readInt();
            List<Example> buffered = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                buffered.add(ExampleBinaryCodec.decode(in.readNBytes(in.readInt())));
            }
            return new TrainerState(params, m, buffered, parent);
        } catch (IOException e) {
            throw new IllegalStateException("trainer state is truncated or corrupt: " + e.getMessage(), e);
        }
    }
}
