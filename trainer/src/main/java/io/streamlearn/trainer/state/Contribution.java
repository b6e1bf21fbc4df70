package io.streamlearn.trainer.state;

import io.streamlearn.trainer.learn.LearningMetrics;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * What one data-parallel trainer subtask brings to the merge at a checkpoint: its parameters, how many examples it
 * trained since the last merge (the weight), the merged metrics it started from, its own state and its prequential
 * errors since the last merge. The operator keeps these in union list state, so a restore hands every subtask all of
 * them and each recomputes the same merge; a blob with a magic ({@code SLMC}) and a format version.
 *
 * @param subtask      index of the subtask that trained it
 * @param subtasks     how many subtasks trained at that checkpoint
 * @param checkpointId the checkpoint it belongs to
 * @param weight       examples trained since the last merge (0: nothing to add)
 * @param names        parameter names in block order
 * @param params       parameter values, as {@code names}
 * @param base         the merged metrics of the last merge (every subtask's are the same)
 * @param state        the subtask's {@link TrainerState} without parameters: optimizer, metrics, buffered examples,
 *                     parent version, drift state of the last merge, lineage
 * @param offsets      next offset per partition, {@code [partition, next, ...]}
 * @param errors       the subtask's prequential errors since the last merge, one byte per trained row (1: wrong)
 */
public record Contribution(int subtask, int subtasks, long checkpointId, long weight, String[] names,
        float[][] params, LearningMetrics base, TrainerState state, long[] offsets, byte[] errors) {
    private static final int MAGIC = 0x534C4D43; // "SLMC"
    public static final int FORMAT_VERSION = 1;

    public Contribution {
        String problem = subtask < 0 || subtask >= subtasks ? "subtask " + subtask + " of " + subtasks
                : names.length != params.length ? names.length + " parameter names for " + params.length + " parameters"
                : weight < 0 ? "weight " + weight + " is negative" : null;
        if (problem != null) {
            throw new IllegalArgumentException("merge contribution: " + problem);
        }
    }

    public byte[] encode() {
        int size = 4096;
        for (float[] p : params) {
            size += p.length * Float.BYTES;
        }
        return TrainerState.blob(MAGIC, FORMAT_VERSION, size, out -> {
            out.writeInt(subtask);
            out.writeInt(subtasks);
            out.writeLong(checkpointId);
            out.writeLong(weight);
            out.writeInt(names.length);
            for (int i = 0; i < names.length; i++) {
                out.writeUTF(names[i]);
                out.writeInt(params[i].length);
                // In bulk, the bytes writeFloat writes: per float, DataOutputStream makes four synchronized calls.
                ByteBuffer bulk = ByteBuffer.allocate(params[i].length * Float.BYTES);
                bulk.asFloatBuffer().put(params[i]);
                out.write(bulk.array());
            }
            TrainerState.writeMetrics(out, base);
            // A regression model's error sums, which the shared metrics layout leaves to the state's tail.
            double[] regression = base.regressionState();
            out.writeInt(regression.length);
            for (double v : regression) {
                out.writeDouble(v);
            }
            TrainerState.writeBytes(out, state.encode());
            out.writeInt(offsets.length);
            for (long o : offsets) {
                out.writeLong(o);
            }
            TrainerState.writeBytes(out, errors);
        });
    }

    /**
     * Reads a blob written by {@link #encode}.
     *
     * @throws IllegalStateException when {@code blob} is not a contribution of this format, or is truncated or corrupt
     */
    public static Contribution decode(byte[] blob) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(blob))) {
            if (in.readInt() != MAGIC) {
                throw new IllegalStateException("merge contribution: bad magic, expected SLMC; not written by the "
                        + "streamlearn trainer");
            }
            int version = in.readInt();
            if (version != FORMAT_VERSION) {
                throw new IllegalStateException("merge contribution format " + version + " is not supported by this "
                        + "version (knows " + FORMAT_VERSION + "); restore with the release that wrote it");
            }
            int subtask = in.readInt();
            int subtasks = in.readInt();
            long checkpointId = in.readLong();
            long weight = in.readLong();
            int n = TrainerState.count(in, in.readInt(), 6, "parameter count");
            String[] names = new String[n];
            float[][] params = new float[n][];
            for (int i = 0; i < n; i++) {
                names[i] = in.readUTF();
                params[i] = new float[TrainerState.count(in, in.readInt(), Float.BYTES, "parameter size")];
                ByteBuffer.wrap(in.readNBytes(params[i].length * Float.BYTES)).asFloatBuffer().get(params[i]);
            }
            LearningMetrics base = TrainerState.readMetrics(in);
            double[] regression = new double[TrainerState.count(in, in.readInt(), Double.BYTES, "regression metrics")];
            for (int i = 0; i < regression.length; i++) {
                regression[i] = in.readDouble();
            }
            base.restoreRegressionState(regression);
            TrainerState state = TrainerState.decode(TrainerState.readBytes(in));
            long[] offsets = new long[TrainerState.count(in, in.readInt(), Long.BYTES, "offset count")];
            for (int i = 0; i < offsets.length; i++) {
                offsets[i] = in.readLong();
            }
            byte[] errors = TrainerState.readBytes(in);
            return new Contribution(subtask, subtasks, checkpointId, weight, names, params, base, state, offsets,
                    errors);
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalStateException("merge contribution is truncated or corrupt: " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "Contribution[subtask " + subtask + "/" + subtasks + ", checkpoint " + checkpointId + ", weight "
                + weight + ", " + Arrays.stream(params).mapToInt(p -> p.length).sum() + " values]";
    }
}
