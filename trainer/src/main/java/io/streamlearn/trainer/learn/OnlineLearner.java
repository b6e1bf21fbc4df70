package io.streamlearn.trainer.learn;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.util.Pair;
import io.streamlearn.core.example.Example;
import io.streamlearn.core.example.FeatureType;
import io.streamlearn.core.example.Features;
import io.streamlearn.core.model.LossKind;
import io.streamlearn.core.model.ModelSpec;
import io.streamlearn.core.model.NetworkBuilder;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A DJL model that learns online, one mini-batch at a time, test-then-train: each batch is first
 * predicted (those predictions are the prequential and holdout metrics), then its non-holdout rows
 * are trained on. Rows are assembled into one reused direct buffer and copied to the device once
 * (uint8 stays uint8 until the model's first block). A batch whose loss is not finite is not
 * stepped, and the parameters return to the last state that gave a finite loss. The trainable
 * parameters are views of one flat buffer ({@link FlatParameters}): the copy kept for that return and
 * the finiteness check are one native operation each, whatever the layer count.
 * Not thread-safe: one owner (the trainer operator) calls it.
 */
public final class OnlineLearner implements AutoCloseable {
    /** DJL allows one collecting GradientCollector per JVM; trainers sharing a TaskManager take turns. */
    private static final Object GRADIENT_LOCK = new Object();

    private final ModelSpec spec;
    private final Device device;
    private final Model model;
    private final Trainer trainer;
    private final OnlineOptimizer optimizer;
    private final Holdout holdout;
    private final int features;
    private final FeatureType dtype;
    private final ByteBuffer batchBuffer;
    private final BatchTargets targets;
    private final Example[] ordered;
    private final FlatParameters flat;
    private final boolean deterministicForward;
    private Champion champion;

    /**
     * @param initialParams  a DJL parameter file from {@link #saveParameters()} to start from (a restore
     *                       or a warm start), or null for a fresh, seeded initialization
     * @param optimizerState optimizer state from {@link #saveOptimizerState()}, or null for fresh state
     */
    public OnlineLearner(ModelSpec spec, Device device, double holdoutFraction, int maxBatch, byte[] initialParams,
            byte[] optimizerState) {
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
            loadParameters(model, initialParams);
        }
        this.optimizer = new OnlineOptimizer(spec.optimizer());
        this.trainer = model.newTrainer(TrainingSetup.config(spec, device, optimizer));
        Shape inputShape = NetworkBuilder.inputShape(spec, 1);
        // The block is initialized here (the Trainer set its initializers, so the seeded values are those
        // trainer.initialize would draw) and its parameters become views of one flat buffer before the
        // Trainer's parameter store sees them.
        model.getBlock().initialize(model.getNDManager(), DataType.FLOAT32, inputShape);
        this.flat = FlatParameters.adopt(model.getBlock());
        trainer.initialize(inputShape);
        Map<String, String> names = new HashMap<>();
        for (Pair<String, Parameter> p : model.getBlock().getParameters()) {
            names.put(p.getValue().getId(), p.getKey());
        }
        optimizer.bindNames(names);
        if (optimizerState != null) {
            optimizer.restoreState(optimizerState);
        }
        this.batchBuffer = ByteBuffer.allocateDirect(maxBatch * features * dtype.bytesPerValue())
                .order(ByteOrder.nativeOrder());
        this.targets = new BatchTargets(spec, maxBatch);
        this.ordered = new Example[maxBatch];
        this.deterministicForward = !"running".equals(spec.input().normalization())
                && spec.layers().stream().noneMatch(l -> "dropout".equals(l.type()));
    }

    /** A fresh learner with fresh optimizer state. */
    public OnlineLearner(ModelSpec spec, Device device, double holdoutFraction, int maxBatch, byte[] initialParams) {
        this(spec, device, holdoutFraction, maxBatch, initialParams, null);
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
        if (n == 0 || n > targets.capacity()) {
            throw new IllegalArgumentException("batch of " + n + " examples, expected 1.." + targets.capacity());
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
        int[] actual = targets.actualClasses(n);
        float[] actualValues = targets.actualValues(n);
        float[][] values = new float[1][];
        // A batch whose training rows all weigh 0 has nothing to learn: predicted and scored, not stepped.
        int weighted = targets.normalizeWeights(train) ? train : 0;
        synchronized (GRADIENT_LOCK) {
            try (NDManager scope = trainer.getManager().newSubManager()) {
                NDArray x = input(scope, n);
                NDArray y = targets.targets(scope, n);
                NDArray w = weighted == 0 ? null : targets.weights(scope, weighted);
                int[] predicted;
                float loss = Float.NaN;
                boolean stepped = false;
                boolean rolledBack = false;
                if (weighted == 0) {
                    predicted = classify(trainer.evaluate(new NDList(x)).singletonOrThrow(), values);
                } else {
                    NDArray xt = train == n ? x : x.get("0:" + train);
                    NDArray yt = train == n ? y : y.get("0:" + train);
                    if (deterministicForward) {
                        // Without dropout or batch statistics the training forward pass is the inference
                        // pass: one pass over all rows predicts them all (before the step) and gives the
                        // loss of the training rows; holdout rows add no gradient.
                        try (GradientCollector gc = trainer.newGradientCollector()) {
                            NDArray out = trainer.forward(new NDList(x)).singletonOrThrow();
                            predicted = classify(out, values);
                            NDArray l = trainer.getLoss().evaluate(new NDList(yt, w),
                                    new NDList(train == n ? out : out.get("0:" + train)));
                            loss = l.getFloat();
                            if (Float.isFinite(loss)) {
                                gc.backward(l);
                            }
                        }
                    } else {
                        predicted = classify(trainer.evaluate(new NDList(x)).singletonOrThrow(), values);
                        try (GradientCollector gc = trainer.newGradientCollector()) {
                            NDArray l = trainer.getLoss().evaluate(new NDList(yt, w), trainer.forward(new NDList(xt)));
                            loss = l.getFloat();
                            if (Float.isFinite(loss)) {
                                gc.backward(l);
                            }
                        }
                    }
                    if (Float.isFinite(loss)) {
                        flat.rememberAsGood();
                        optimizer.updateAll(flat.names(), flat.views());
                        optimizer.stepDone();
                        stepped = true;
                    } else {
                        flat.returnToLastGood();
                        rolledBack = true;
                    }
                }
                int championCorrect = -1;
                double championSquaredError = Double.NaN;
                if (champion != null && train < n) {
                    // The champion scores the holdout rows on the same device copy: the quality gate
                    // compares both models on the same recent examples.
                    NDArray xh = train == 0 ? x : x.get(train + ":");
                    float[][] championValues = new float[1][];
                    int[] c = classify(champion.forward(xh), championValues);
                    if (actualValues != null) {
                        championSquaredError = BatchOutcome.squaredError(championValues[0], 0, actualValues,
                                train * spec.targets(), championValues[0].length, spec.targets());
                    } else {
                        championCorrect = 0;
                        for (int i = 0; i < c.length; i++) {
                            championCorrect += c[i] == actual[train + i] ? 1 : 0;
                        }
                    }
                }
                return new BatchOutcome(train, n - train, predicted, actual, loss, stepped, rolledBack,
                        championCorrect, values[0], actualValues, championSquaredError);
            } finally {
                Arrays.fill(ordered, 0, n, null);
            }
        }
    }

    private NDArray input(NDManager scope, int n) {
        return scope.create(batchBuffer.flip(), new Shape(n, features),
                dtype == FeatureType.UINT8 ? DataType.UINT8 : DataType.FLOAT32);
    }

    /**
     * Predicted classes: argmax of the outputs, or the sign of the single logit for binary cross-entropy; for
     * regression the outputs themselves go to {@code values[0]} (row-major) and the classes are all 0.
     */
    private int[] classify(NDArray out, float[][] values) {
        if (spec.isRegression()) {
            values[0] = out.toFloatArray();
            return new int[(int) out.getShape().get(0)];
        }
        return classify(out);
    }

    /** Predicted classes: argmax of the outputs, or the sign of the single logit for binary cross-entropy. */
    private int[] classify(NDArray out) {
        if (spec.loss() == LossKind.SIGMOID_BINARY_CROSS_ENTROPY) {
            float[] logits = out.toFloatArray();
            int[] c = new int[logits.length];
            for (int i = 0; i < c.length; i++) {
                c[i] = logits[i] > 0 ? 1 : 0;
            }
            return c;
        }
        long[] a = out.argMax(1).toLongArray();
        int[] c = new int[a.length];
        for (int i = 0; i < a.length; i++) {
            c[i] = (int) a[i];
        }
        return c;
    }

    private void fill(int n) {
        batchBuffer.clear();
        FloatBuffer floats = dtype == FeatureType.FLOAT32 ? batchBuffer.asFloatBuffer() : null;
        for (int i = 0; i < n; i++) {
            Example e = ordered[i];
            targets.set(i, e);
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
    public int[] predict(List<Example> batch) {
        try (NDManager scope = trainer.getManager().newSubManager()) {
            return classify(forward(scope, batch));
        }
    }

    /** Raw outputs (logits) of each example (inference mode), row-major {@code (n, outputs)}. */
    public float[] logits(List<Example> batch) {
        try (NDManager scope = trainer.getManager().newSubManager()) {
            return forward(scope, batch).toFloatArray();
        }
    }

    private NDArray forward(NDManager scope, List<Example> batch) {
        int n = batch.size();
        for (int i = 0; i < n; i++) {
            ordered[i] = batch.get(i);
        }
        fill(n);
        Arrays.fill(ordered, 0, n, null);
        return trainer.evaluate(new NDList(input(scope, n))).singletonOrThrow();
    }

    /** Whether every parameter is finite (one device sync; for the quality gate at publish time). */
    public boolean parametersFinite() {
        return flat.finite();
    }

    /** The learning rate of the next step (first parameter), for metrics. */
    public float currentLearningRate() {
        return optimizer.currentRate(model.getBlock().getParameters().get(0).getKey());
    }

    /**
     * Makes {@code paramsFile} (a published version's DJL parameter file) the champion that holdout
     * rows are also scored with; null removes it.
     */
    public void setChampion(byte[] paramsFile) {
        setChampion(paramsFile == null ? null : Champion.load(spec, device, paramsFile));
    }

    /** Makes {@code c} the champion (null: none), owned and closed by this learner; never while a step runs. */
    public void setChampion(Champion c) {
        if (champion != null) {
            champion.close();
        }
        champion = c;
    }

    /** Forgets the optimizer's moments and step counts (a reaction to drift). */
    public void resetOptimizer() {
        optimizer.reset();
    }

    /** Multiplies the learning rate for the next steps (a reaction to drift). */
    public void boostLearningRate(float factor, int steps) {
        optimizer.boost(factor, steps);
    }

    /** Optimizer moments, accumulators and step counts, for checkpoints. */
    public byte[] saveOptimizerState() {
        return optimizer.exportState();
    }

    /** Replaces the optimizer state with one from {@link #saveOptimizerState()} (a merged model's). */
    public void loadOptimizerState(byte[] optimizerState) {
        optimizer.restoreState(optimizerState);
    }

    /** The parameters as the bytes of a DJL parameter file, loadable with plain {@code Model.load}. */
    public byte[] saveParameters() {
        return ParameterFiles.save(model, spec.name());
    }

    /** Every parameter's name in block order (trained ones and running statistics): the order of {@link #parameterValues}. */
    public String[] parameterNames() {
        return model.getBlock().getParameters().keys().toArray(new String[0]);
    }

    /** Every parameter's values on the host, in {@link #parameterNames} order (one device sync per parameter). */
    public float[][] parameterValues() {
        var all = model.getBlock().getParameters().values();
        float[][] out = new float[all.size()][];
        for (int i = 0; i < out.length; i++) {
            try (NDArray v = all.get(i).getArray().stopGradient()) {
                out[i] = v.toFloatArray();
            }
        }
        return out;
    }

    /**
     * Replaces every parameter's values (a merged model of the data-parallel trainers), in {@link #parameterNames}
     * order; they also become the last good state a non-finite step returns to. The optimizer state is left alone.
     */
    public void loadParameterValues(float[][] values) {
        var all = model.getBlock().getParameters().values();
        if (values.length != all.size()) {
            throw new IllegalArgumentException("merged model has " + values.length + " parameters, " + spec.name()
                    + " has " + all.size());
        }
        for (int i = 0; i < values.length; i++) {
            NDArray target = all.get(i).getArray();
            try (NDArray live = target.stopGradient();
                    NDArray v = target.getManager().create(values[i], target.getShape())) {
                live.set(new ai.djl.ndarray.index.NDIndex("..."), v);
            }
        }
        flat.rememberAsGood();
    }

    private void loadParameters(Model target, byte[] paramsFile) {
        ParameterFiles.load(target, spec.name(), paramsFile);
    }

    @Override
    public void close() {
        setChampion((Champion) null);
        flat.close();
        trainer.close();
        model.close();
    }
}
