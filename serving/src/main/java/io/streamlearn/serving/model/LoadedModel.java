package io.streamlearn.serving.model;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Convolution;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import io.streamlearn.core.example.FeatureType;
import io.streamlearn.core.example.Features;
import io.streamlearn.core.model.ModelSpec;
import io.streamlearn.core.model.NetworkBuilder;
import io.streamlearn.core.prediction.Prediction;
import io.streamlearn.core.snapshot.SnapshotException;
import io.streamlearn.core.snapshot.SnapshotManifest;
import io.streamlearn.core.snapshot.SnapshotStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One verified snapshot version loaded into DJL on the CPU, answering batches of raw features with
 * the predicted class and the top-k class probabilities.
 *
 * <p>{@link #predict} reuses one direct batch buffer, so it is serialized: its callers are the Kafka
 * request loop ({@code RequestAnswerer}) and the HTTP batcher, each on its own thread. The model is
 * reference-counted: {@link #close()} drops the owner's ({@link ServingModel}'s) reference and the native
 * memory is freed when the last in-flight batch that {@link ServingModel#acquire() acquired} it ends.
 */
public final class LoadedModel implements AutoCloseable {
    private final SnapshotManifest manifest;
    private final ModelSpec spec;
    private final Model model;
    private final Block block;
    private final ParameterStore parameters;
    /**
     * Fewest rows a batch needs to run in bfloat16; smaller ones run in float32: each bfloat16 matrix product pays a
     * fixed cost (oneDNN re-lays the weights, about 60 us per batch for mlp) that only larger batches earn back
     * (measured: float32 faster at 16 rows, bfloat16 at 64).
     */
    public static final int BF16_MIN_ROWS = 32;
    // bfloat16 moves mlp's probabilities by up to about 0.01; a broken cast moves them by far more.
    private static final float BF16_WARM_UP_TOLERANCE = 0.05f;
    private final InferencePrecision precision;
    // BFLOAT16 only (see docs/serving.md, precision). The block's children run one by one (DJL's Block.cast is not
    // implemented for PyTorch): those before firstBf16Child in float32 with `parameters` (the input normalization,
    // and a running BatchNorm, which subtracts a mean and so must see the unrounded features), the rest in bfloat16
    // with `bf16Parameters`. For uint8 features with plain scaling the cast of the raw bytes replaces the first
    // child instead (exact: bfloat16 holds every integer up to 256), a fifth of the request thread saved.
    private final List<Block> children;
    private final int firstBf16Child;
    private final boolean castRawFeatures;
    private final boolean scaleFolded;
    private final ParameterStore bf16Parameters;
    private final Bfloat16Cast bf16Cast;
    private final int features;
    private final FeatureType dtype;
    private final int maxBatch;
    private final int topK;
    private final ByteBuffer batchBuffer;
    private final FloatBuffer floatView;
    // 1 for the owner plus 1 per in-flight batch; the natives are freed when it reaches 0.
    private final AtomicInteger refs = new AtomicInteger(1);
    private final AtomicBoolean closed = new AtomicBoolean();

    private LoadedModel(SnapshotManifest manifest, ModelSpec spec, Model model, int maxBatch, int topK,
            InferencePrecision precision) {
        this.manifest = manifest;
        this.spec = spec;
        this.model = model;
        this.block = model.getBlock();
        this.parameters = new ParameterStore(model.getNDManager(), false);
        this.features = spec.featureCount();
        this.dtype = spec.input().featureType();
        this.maxBatch = maxBatch;
        this.topK = Math.min(topK, spec.classes());
        long bytes = (long) maxBatch * features * dtype.bytesPerValue();
        if (bytes > Integer.MAX_VALUE) {
            throw new SnapshotException("model " + spec.name() + " v" + manifest.version() + ": a batch of " + maxBatch
                    + " x " + features + " " + dtype + " features needs " + bytes + " bytes, more than "
                    + Integer.MAX_VALUE + "; lower maxBatch");
        }
        // Direct and native-order: DJL hands it to libtorch without a copy (DESIGN.md).
        this.batchBuffer = ByteBuffer.allocateDirect((int) bytes).order(ByteOrder.nativeOrder());
        this.floatView = dtype == FeatureType.FLOAT32 ? batchBuffer.asFloatBuffer() : null;
        // A regression model's values would keep bfloat16's 3 significant digits: it is served in float32.
        this.precision = spec.isRegression() ? InferencePrecision.FLOAT32 : precision;
        boolean running = "running".equals(spec.input().normalization());
        this.castRawFeatures = dtype == FeatureType.UINT8 && !running;
        this.firstBf16Child = running ? 2 : 1;
        if (this.precision == InferencePrecision.FLOAT32) {
            this.scaleFolded = false;
            this.children = List.of();
            this.bf16Parameters = null;
            this.bf16Cast = null;
        } else {
            List<Block> all = new ArrayList<>();
            block.getChildren().forEach(child -> all.add(child.getValue()));
            this.children = List.copyOf(all);
            // With the raw bytes cast, the input's scale goes into the first layer's weights when that layer is
            // linear in its input, (s x) W' = x (s W)': one pass over the batch fewer.
            Block first = all.size() > firstBf16Child ? all.get(firstBf16Child) : null;
            Parameter scaled = castRawFeatures && spec.input().scale() != 1f
                    && (first instanceof Linear || first instanceof Convolution)
                    ? first.getDirectParameters().get("weight") : null;
            this.scaleFolded = scaled != null;
            this.bf16Cast = Bfloat16Cast.shared();
            this.bf16Parameters = new CastParameters(model.getNDManager(), block, bf16Cast, scaled,
                    spec.input().scale());
        }
    }

    /**
     * Reads {@code manifest}'s snapshot from {@code store} once, verifies the bytes, loads exactly those bytes into
     * DJL, then runs one warm-up batch.
     *
     * <p>Why not {@code Model.load(dir)}: DJL loads whichever {@code <model>-NNNN.params} has the highest number in
     * the folder, and reads it a second time after the checksum did; a file written between the two reads, or a
     * second parameter file, would be served unverified.
     *
     * @param maxBatch most rows one {@link #predict} call may carry (the batch buffer's size)
     * @param topK     class scores per prediction, capped at the model's class count
     * @throws io.streamlearn.core.snapshot.ChecksumMismatchException when the parameter file or {@code spec.json}
     *                                                                does not match its sha256 in the manifest
     * @throws SnapshotException when the folder holds a second parameter file, the spec does not fit the manifest
     *                           or the parameters cannot be loaded
     */
    public static LoadedModel load(SnapshotStore store, SnapshotManifest manifest, int maxBatch, int topK) {
        return load(store, manifest, maxBatch, topK, InferencePrecision.FLOAT32);
    }

    /**
     * As {@link #load(SnapshotStore, SnapshotManifest, int, int)}, computing the forward pass in {@code precision}
     * (a regression model stays in float32); with bfloat16 the warm-up also scores a batch in bfloat16 and checks it
     * against float32's answer.
     *
     * @throws IllegalArgumentException for bfloat16 with {@code maxBatch} under {@link #BF16_MIN_ROWS}: no batch
     *                                  would ever run in it
     */
    public static LoadedModel load(SnapshotStore store, SnapshotManifest manifest, int maxBatch, int topK,
            InferencePrecision precision) {
        if (maxBatch < 1 || topK < 1) {
            throw new IllegalArgumentException("maxBatch " + maxBatch + " and topK " + topK + " must be >= 1");
        }
        if (precision == InferencePrecision.BFLOAT16 && maxBatch < BF16_MIN_ROWS) {
            throw new IllegalArgumentException("precision bfloat16 runs batches of " + BF16_MIN_ROWS
                    + " rows or more, and maxBatch is " + maxBatch + ": raise it or use float32");
        }
        SnapshotBytes files = SnapshotBytes.read(store, manifest);
        String where = files.where();
        String expectedParams = manifest.paramsFile();
        ModelSpec spec = files.spec();
        Model model = Model.newInstance(spec.name(), Device.cpu());
        LoadedModel loaded = null;
        boolean ok = false;
        try {
            Block block = NetworkBuilder.build(spec);
            model.setBlock(block);
            // Initializing first gives every parameter its shape; load then replaces the values.
            block.initialize(model.getNDManager(), DataType.FLOAT32, NetworkBuilder.inputShape(spec, 1));
            Map<String, Shape> specShapes = parameterShapes(block);
            DjlParams.load(block, model.getNDManager(), files.params(), where + ": " + expectedParams);
            // DJL loads arrays of any shape without complaint: a 64-unit layer would silently replace a 16-unit one.
            Map<String, Shape> loadedShapes = parameterShapes(block);
            if (!loadedShapes.equals(specShapes)) {
                throw new SnapshotException(where + ": the parameters of " + expectedParams + " do not fit the network "
                        + "of " + SnapshotStore.SPEC + ": expected shapes " + specShapes + ", found " + loadedShapes
                        + "; the snapshot was written by another network, republish it with its own spec");
            }
            loaded = new LoadedModel(manifest, spec, model, maxBatch, topK, precision);
            loaded.warmUp(where);
            ok = true;
            return loaded;
        } catch (IOException | MalformedModelException e) {
            throw new SnapshotException(where + ": DJL cannot load " + expectedParams + " into the network of "
                    + SnapshotStore.SPEC + ": " + e.getMessage() + "; the parameters do not fit the spec", e);
        } catch (SnapshotException e) {
            throw e;
        } catch (RuntimeException e) {
            // DJL reports shape mismatches and engine errors unchecked; a refused snapshot keeps the cause.
            throw new SnapshotException(where + ": cannot load into DJL: " + e, e);
        } finally {
            if (!ok) {
                if (loaded != null) {
                    loaded.close();
                } else {
                    model.close();
                }
            }
        }
    }

    private static Map<String, Shape> parameterShapes(Block block) {
        Map<String, Shape> shapes = new LinkedHashMap<>();
        for (Pair<String, Parameter> p : block.getParameters()) {
            NDArray a = p.getValue().getArray();
            shapes.put(p.getKey(), a.getShape());
        }
        return shapes;
    }

    private void warmUp(String where) {
        Features row = dtype == FeatureType.UINT8 ? Features.ofUint8(new byte[features])
                : Features.ofFloats(new float[features]);
        Scored[] out;
        try {
            out = predict(List.of(row));
        } catch (RuntimeException e) {
            throw new SnapshotException(where + ": warm-up forward pass failed: " + e, e);
        }
        for (float v : out[0].value() == null ? new float[0] : out[0].value()) {
            if (!Float.isFinite(v)) {
                throw new SnapshotException(where + ": warm-up forward pass of an all-zero input predicts " + v
                        + "; the parameters are not finite");
            }
        }
        for (Prediction.Score s : out[0].scores()) {
            if (!Float.isFinite(s.probability())) {
                throw new SnapshotException(where + ": warm-up forward pass of an all-zero input gives probability "
                        + s.probability() + " for class " + s.label() + "; the parameters are not finite");
            }
        }
        if (bf16Cast != null) {
            warmUpBfloat16(where, row, out[0]);
        }
    }

    /** One batch in bfloat16, whose answer must be float32's {@code full} within bfloat16's rounding. */
    private void warmUpBfloat16(String where, Features row, Scored full) {
        Scored reduced;
        try {
            reduced = predict(Collections.nCopies(BF16_MIN_ROWS, row))[0];
        } catch (RuntimeException e) {
            throw new SnapshotException(where + ": warm-up forward pass in bfloat16 failed: " + e
                    + "; serve with --precision float32", e);
        }
        Prediction.Score a = full.scores().get(0);
        Prediction.Score b = reduced.scores().get(0);
        if (!(Math.abs(a.probability() - b.probability()) <= BF16_WARM_UP_TOLERANCE)) {
            throw new SnapshotException(where + ": warm-up forward pass in bfloat16 gives class " + b.label()
                    + " probability " + b.probability() + " for an all-zero input, float32 class " + a.label()
                    + " probability " + a.probability() + "; this engine's bfloat16 is not usable, serve with "
                    + "--precision float32");
        }
    }

    /** Model name. */
    public String name() {
        return spec.name();
    }

    /** Snapshot version. */
    public long version() {
        return manifest.version();
    }

    public ModelSpec spec() {
        return spec;
    }

    public SnapshotManifest manifest() {
        return manifest;
    }

    /** The number type of the forward pass. */
    public InferencePrecision precision() {
        return precision;
    }

    /** Most rows one {@link #predict} call may carry. */
    public int maxBatch() {
        return maxBatch;
    }

    /** Class scores each prediction carries. */
    public int topK() {
        return topK;
    }

    /**
     * Why this model cannot answer a request with {@code f}, or null when it can: a feature count
     * other than {@code spec.featureCount()}, a non-finite value, or a float that is no uint8 value for a
     * uint8 model.
     */
    public String rejectReason(Features f) {
        if (f.size() != features) {
            return "feature count " + f.size() + ", expected " + features + " for model " + name() + " v" + version();
        }
        int bad = f.firstNonFinite();
        if (bad >= 0) {
            return "non-finite feature value " + f.get(bad) + " at index " + bad;
        }
        if (dtype == FeatureType.UINT8 && f instanceof Features.Float32 floats) {
            float[] v = floats.values();
            for (int i = 0; i < v.length; i++) {
                if (v[i] < 0f || v[i] > 255f || v[i] != Math.rint(v[i])) {
                    return "float32 feature value " + v[i] + " at index " + i + " is not a uint8 value (an integer "
                            + "0..255), which the input dtype uint8 of model " + name() + " requires";
                }
            }
        }
        return null;
    }

    /**
     * One forward pass over {@code batch}: for each row, the most probable class and the top-k class
     * probabilities, highest first.
     *
     * @throws IllegalArgumentException when the batch is empty, larger than {@link #maxBatch()}, or a row is one
     *                                  {@link #rejectReason} refuses
     */
    public synchronized Scored[] predict(List<Features> batch) {
        if (refs.get() == 0) {
            throw new IllegalStateException("model " + name() + " v" + version() + " is closed");
        }
        int n = batch.size();
        if (n == 0 || n > maxBatch) {
            throw new IllegalArgumentException("batch of " + n + " rows for model " + name() + " v" + version()
                    + ", must be 1.." + maxBatch + " (maxBatch)");
        }
        for (int i = 0; i < n; i++) {
            String reason = rejectReason(batch.get(i));
            if (reason != null) {
                throw new IllegalArgumentException("batch row " + i + ": " + reason);
            }
        }
        fill(batch);
        float[] probs;
        try (NDManager scope = model.getNDManager().newSubManager()) {
            NDArray x = scope.create(batchBuffer.flip(), new Shape(n, features),
                    dtype == FeatureType.UINT8 ? DataType.UINT8 : DataType.FLOAT32);
            NDArray logits = forward(x);
            // One device-to-host copy per batch: the softmax runs on the device; a regression model's outputs are
            // its predicted values, no softmax.
            probs = spec.isRegression() ? logits.toFloatArray() : logits.softmax(1).toFloatArray();
        }
        boolean regression = spec.isRegression();
        int perRow = regression ? spec.targets() : spec.classes();
        if (probs.length != n * perRow) {
            String unit = regression ? "targets" : "classes";
            throw new IllegalStateException("model " + name() + " v" + version() + " returned " + probs.length
                    + (regression ? " values" : " scores") + " for " + n + " rows of " + perRow + " " + unit
                    + "; its last layer does not match '" + unit + "'");
        }
        Scored[] out = new Scored[n];
        for (int r = 0; r < n; r++) {
            out[r] = regression ? new Scored(Prediction.NO_LABEL, List.of(), Arrays.copyOfRange(probs, r * perRow,
                    (r + 1) * perRow)) : topK(probs, r * perRow, perRow);
        }
        return out;
    }

    private NDArray forward(NDArray x) {
        if (bf16Cast == null || x.getShape().get(0) < BF16_MIN_ROWS) {
            return block.forward(parameters, new NDList(x), false).singletonOrThrow();
        }
        NDList h;
        if (castRawFeatures) {
            NDArray raw = bf16Cast.cast(x);
            h = new NDList(scaleFolded ? NetworkBuilder.shapeAsInput(raw, spec.input())
                    : NetworkBuilder.scaleAndShape(raw, spec.input()));
        } else {
            h = new NDList(x);
            for (int i = 0; i < firstBf16Child; i++) {
                h = children.get(i).forward(parameters, h, false);
            }
            h = new NDList(bf16Cast.cast(h.singletonOrThrow()));
        }
        for (int i = firstBf16Child; i < children.size(); i++) {
            h = children.get(i).forward(bf16Parameters, h, false);
        }
        return h.singletonOrThrow().toType(DataType.FLOAT32, false);
    }

    private void fill(List<Features> batch) {
        batchBuffer.clear();
        int n = batch.size();
        if (dtype == FeatureType.UINT8) {
            for (Features f : batch) {
                if (f instanceof Features.Uint8 u) {
                    batchBuffer.put(u.values());
                } else {
                    for (int i = 0; i < features; i++) {
                        batchBuffer.put((byte) (int) f.get(i));
                    }
                }
            }
        } else {
            floatView.clear();
            for (Features f : batch) {
                if (f instanceof Features.Float32 v) {
                    floatView.put(v.values());
                } else {
                    for (int i = 0; i < features; i++) {
                        floatView.put(f.get(i));
                    }
                }
            }
            batchBuffer.position(n * features * Float.BYTES);
        }
    }

    private Scored topK(float[] probs, int offset, int classes) {
        List<Prediction.Score> scores = new ArrayList<>(topK);
        long taken = 0; // bit set of chosen classes when classes <= 64
        boolean[] chosen = classes > 64 ? new boolean[classes] : null;
        for (int k = 0; k < topK; k++) {
            int best = -1;
            float bestP = Float.NEGATIVE_INFINITY;
            for (int c = 0; c < classes; c++) {
                boolean used = chosen == null ? (taken & (1L << c)) != 0 : chosen[c];
                float p = probs[offset + c];
                if (!used && (best < 0 || p > bestP)) {
                    best = c;
                    bestP = p;
                }
            }
            if (chosen == null) {
                taken |= 1L << best;
            } else {
                chosen[best] = true;
            }
            scores.add(new Prediction.Score(best, bestP));
        }
        return new Scored(scores.get(0).label(), scores);
    }

    /** Takes a reference for one batch; false when the model was already released by everyone. */
    boolean tryRetain() {
        while (true) {
            int r = refs.get();
            if (r == 0) {
                return false;
            }
            if (refs.compareAndSet(r, r + 1)) {
                return true;
            }
        }
    }

    /** Returns a reference taken for one batch (by {@link ServingModel#acquire()}); the last one frees the native memory. */
    public void release() {
        if (refs.decrementAndGet() == 0) {
            model.close();
        }
    }

    /** Whether the native memory has been freed. */
    boolean isFreed() {
        return refs.get() == 0;
    }

    /** Drops the owner's reference: frees the model now, or when the last in-flight batch ends. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            release();
        }
    }

    @Override
    public String toString() {
        return "LoadedModel[" + name() + " v" + version() + (bf16Cast == null ? "" : ", bfloat16") + "]";
    }

    /** Hands each layer its parameter cast to one type, once per loaded version rather than once per batch. */
    private static final class CastParameters extends ParameterStore {
        private final Map<String, NDArray> cast = new HashMap<>();

        /** Casts every parameter of {@code block}; {@code scaled}, if not null, times {@code scale} first. */
        CastParameters(NDManager manager, Block block, Bfloat16Cast to, Parameter scaled, float scale) {
            super(manager, false);
            for (Pair<String, Parameter> p : block.getParameters()) {
                Parameter param = p.getValue();
                // Attached to the model's manager: freed with the model.
                if (param == scaled) {
                    try (NDArray product = param.getArray().mul(scale)) {
                        cast.put(param.getId(), to.cast(product));
                    }
                } else {
                    cast.put(param.getId(), to.cast(param.getArray()));
                }
            }
        }

        @Override
        public NDArray getValue(Parameter parameter, Device device, boolean training) {
            NDArray a = cast.get(parameter.getId());
            return a != null ? a : super.getValue(parameter, device, training);
        }
    }

    /**
     * The answer for one row.
     *
     * @param label  the most probable class; {@link Prediction#NO_LABEL} for a regression model
     * @param scores the top-k classes with their probabilities, highest first; empty for a regression model
     * @param value  a regression model's predicted value(s), null for a classifier
     */
    public record Scored(int label, List<Prediction.Score> scores, float[] value) {
        /** A classifier's answer. */
        public Scored(int label, List<Prediction.Score> scores) {
            this(label, scores, null);
        }
    }
}
