package io.streamlearn.trainer.learn;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import io.streamlearn.core.example.Example;
import io.streamlearn.core.example.FeatureType;
import io.streamlearn.core.example.Features;
import io.streamlearn.core.model.ModelSpec;
import io.streamlearn.core.model.NetworkBuilder;
import io.streamlearn.core.model.TrainingSetup;
import io.streamlearn.core.snapshot.SnapshotStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A DJL model that learns online, one mini-batch at a time, test-then-train: each batch is first
 * predicted (those predictions are the prequential and holdout metrics), then its non-holdout rows
 * are trained on. Rows are assembled into one reused direct buffer and copied to the device once.
 * Not thread-safe: one owner (the trainer operator) calls it.
 */
public final class OnlineLearner implements AutoCloseable {
    /** DJL allows one collecting GradientCollector per JVM; trainers sharing a TaskManager take turns. */
    private static final Object GRADIENT_LOCK = new Object();

    private final ModelSpec spec;
    private final Device device;
    private final Model model;
    private final Trainer trainer;
    private final Holdout holdout;
    private final int features;
    private final FeatureType dtype;
    private final ByteBuffer batchBuffer;
    private final float[] labels;
    private final Example[] ordered;

    /**
     * @param initialParams a DJL parameter file from {@link #saveParameters()} to start from (a restore
     *                      or a warm start), or null for a fresh, seeded initialization
     */
    public OnlineLearner(ModelSpec spec, Device device, double holdoutFraction, int maxBatch, byte[] initialParams) {
        this.spec = spec;
        this.device = device;
        this.holdout = new Holdout(holdoutFraction);
        this.features = spec.featureCount();
        this.dtype = spec.input().featureType();
        Engine.getInstance().setRandomSeed((int) spec.seed());
        this.model = Model.newInstance(spec.name(), device);
        model.setBlock(NetworkBuilder.build(spec));
        if (initialParams != null) {
            // Before the Trainer exists: its parameter store keeps the arrays it first sees, and
            // Parameter.initialize leaves loaded arrays alone (and marks them as needing gradients).
            loadParameters(initialParams);
        }
        this.trainer = model.newTrainer(TrainingSetup.config(spec, device));
        trainer.initialize(NetworkBuilder.inputShape(spec, 1));
        this.batchBuffer = ByteBuffer.allocateDirect(maxBatch * features * dtype.bytesPerValue())
                .order(ByteOrder.nativeOrder());
        this.labels = new float[maxBatch];
        this.ordered = new Example[maxBatch];
    }

    public ModelSpec spec() {
        return spec;
    }

    public Device device() {
        return device;
    }

    public String engineDescription() {
        Engine e = model.getNDManager().getEngine();
        return e.getEngineName() + " " + e.getVersion();
    }

    /** Predicts, then trains on, one batch. Examples must fit the spec (the decoder validated them). */
    public BatchOutcome step(List<Example> batch) {
        int n = batch.size();
        if (n == 0 || n > labels.length) {
            throw new IllegalArgumentException("batch of " + n + " examples, expected 1.." + labels.length);
        }
        // Training rows first, holdout rows last, so both are contiguous slices of one device copy.
        int train = 0;
        int tail = n;
        for (Example e : batch) {
            if (holdout.isHeldOut(e.id())) {
                ordered[--tail] = e;
            } else {
                ordered[train++] = e;
            }
        }
        fill(n);
        synchronized (GRADIENT_LOCK) {
            try (NDManager scope = trainer.getManager().newSubManager()) {
                NDArray x = scope.create(batchBuffer.flip(), new Shape(n, features),
                        dtype == FeatureType.UINT8 ? DataType.UINT8 : DataType.FLOAT32);
                NDArray y = scope.create(FloatBuffer.wrap(labels, 0, n), new Shape(n));
                NDArray logits = trainer.evaluate(new NDList(x)).singletonOrThrow();
                long[] predicted = logits.argMax(1).toLongArray();
                int trainCorrect = 0;
                int holdCorrect = 0;
                for (int i = 0; i < n; i++) {
                    boolean ok = predicted[i] == (long) labels[i];
                    if (i < train) {
                        trainCorrect += ok ? 1 : 0;
                    } else {
                        holdCorrect += ok ? 1 : 0;
                    }
                }
                float loss = Float.NaN;
                boolean stepped = false;
                if (train > 0) {
                    NDArray xt = train == n ? x : x.get("0:" + train);
                    NDArray yt = train == n ? y : y.get("0:" + train);
                    try (GradientCollector gc = trainer.newGradientCollector()) {
                        NDList out = trainer.forward(new NDList(xt));
                        NDArray l = trainer.getLoss().evaluate(new NDList(yt), out);
                        loss = l.getFloat();
                        if (Float.isFinite(loss)) {
                            gc.backward(l);
                        }
                    }
                    if (Float.isFinite(loss)) {
                        trainer.step();
                        stepped = true;
                    }
                }
                return new BatchOutcome(train, trainCorrect, n - train, holdCorrect, loss, stepped);
            } finally {
                java.util.Arrays.fill(ordered, 0, n, null);
            }
        }
    }

    private void fill(int n) {
        batchBuffer.clear();
        FloatBuffer floats = dtype == FeatureType.FLOAT32 ? batchBuffer.asFloatBuffer() : null;
        for (int i = 0; i < n; i++) {
            Example e = ordered[i];
            labels[i] = e.label();
            Features f = e.features();
            if (dtype == FeatureType.UINT8) {
                batchBuffer.put(((Features.Uint8) f).values());
            } else if (f instanceof Features.Float32 fl) {
                floats.put(fl.values());
            } else {
                for (int k = 0; k < features; k++) {
                    floats.put(f.get(k));
                }
            }
        }
        batchBuffer.position(n * features * dtype.bytesPerValue());
    }

    /** Predicted class of each example (inference mode), for checks against served models. */
    public long[] predict(List<Example> batch) {
        return logits(batch).length == 0 ? new long[0] : argMax(logits(batch), spec.classes());
    }

    private static long[] argMax(float[] logits, int classes) {
        long[] out = new long[logits.length / classes];
        for (int i = 0; i < out.length; i++) {
            int best = 0;
            for (int k = 1; k < classes; k++) {
                if (logits[i * classes + k] > logits[i * classes + best]) {
                    best = k;
                }
            }
            out[i] = best;
        }
        return out;
    }

    /** Logits of each example (inference mode), row-major {@code (n, classes)}. */
    public float[] logits(List<Example> batch) {
        int n = batch.size();
        for (int i = 0; i < n; i++) {
            ordered[i] = batch.get(i);
        }
        fill(n);
        java.util.Arrays.fill(ordered, 0, n, null);
        try (NDManager scope = trainer.getManager().newSubManager()) {
            NDArray x = scope.create(batchBuffer.flip(), new Shape(n, features),
                    dtype == FeatureType.UINT8 ? DataType.UINT8 : DataType.FLOAT32);
            return trainer.evaluate(new NDList(x)).singletonOrThrow().toFloatArray();
        }
    }

    /** The parameters as the bytes of a DJL parameter file, loadable with plain {@code Model.load}. */
    public byte[] saveParameters() {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("streamlearn-params-");
            model.save(dir, spec.name());
            return Files.readAllBytes(dir.resolve(SnapshotStore.paramsFileName(spec.name())));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serialize parameters of " + spec.name(), e);
        } finally {
            deleteTree(dir);
        }
    }

    private void loadParameters(byte[] paramsFile) {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("streamlearn-params-");
            Files.write(dir.resolve(SnapshotStore.paramsFileName(spec.name())), paramsFile);
            model.load(dir, spec.name());
        } catch (IOException | ai.djl.MalformedModelException e) {
            throw new IllegalStateException("cannot restore parameters of " + spec.name() + ": " + e.getMessage(), e);
        } finally {
            deleteTree(dir);
        }
    }

    private static void deleteTree(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp dir; the OS cleans what is left
        }
    }

    @Override
    public void close() {
        trainer.close();
        model.close();
    }
}
