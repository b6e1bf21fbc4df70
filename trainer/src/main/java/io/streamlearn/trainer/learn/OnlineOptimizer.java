package io.streamlearn.trainer.learn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import ai.djl.training.optimizer.Optimizer;
import io.streamlearn.core.model.OptimizerSpec;
import io.streamlearn.core.model.ScheduleSpec;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntFunction;

/**
 * SGD with momentum, Adam and Adagrad whose state (moments, accumulators, step counts) can be
 * exported and restored by parameter name, so it survives a checkpoint: DJL's own optimizers keep
 * it in private maps keyed by per-process ids, and its PyTorch engine has no Adagrad update.
 * The learning rate follows the spec's {@link ScheduleSpec} over each parameter's step count.
 * {@link #updateAll} is the step the trainer takes: the same update DJL's Trainer.step() makes,
 * without its ParameterServer, which first copied every gradient.
 */
public final class OnlineOptimizer extends Optimizer {
    private static final int STATE_MAGIC = 0x534C4F53; // "SLOS"
    private static final int STATE_VERSION = 1;
    private static final float ADAM_BETA1 = 0.9f;
    private static final float ADAM_BETA2 = 0.999f;
    private static final float ADAM_EPSILON = 1e-8f;
    private static final float ADAGRAD_EPSILON = 1e-7f;

    private final String kind;
    private final float baseRate;
    private final float momentum;
    private final ScheduleSpec schedule;
    private final Map<String, String> nameOfId = new HashMap<>();
    private final Map<String, NDArray[]> state = new HashMap<>();
    private final Map<String, Integer> steps = new HashMap<>();
    private Map<String, float[][]> pendingRestore = Map.of();
    private Map<String, Integer> pendingSteps = Map.of();
    private float boostFactor = 1f;
    private int boostSteps;

    public OnlineOptimizer(OptimizerSpec spec) {
        super(new Builder().optWeightDecays(spec.weightDecay() == null ? 0f : spec.weightDecay()));
        this.kind = spec.type();
        this.baseRate = spec.learningRate();
        this.momentum = spec.momentum() == null ? 0f : spec.momentum();
        this.schedule = spec.schedule();
    }

    /** Names each parameter id (ids differ per process, names do not); call before the first step. */
    public void bindNames(Map<String, String> idToName) {
        nameOfId.putAll(idToName);
    }

    /** The learning rate the next step of parameter {@code name} will use. */
    public float currentRate(String name) {
        return schedule.rate(baseRate, steps.getOrDefault(name, 0) + 1) * (boostSteps > 0 ? boostFactor : 1f);
    }

    /** Forgets moments, accumulators and step counts (the schedule restarts): a reaction to drift. */
    public void reset() {
        closeState();
        steps.clear();
        pendingRestore = Map.of();
        pendingSteps = Map.of();
    }

    /** Multiplies the learning rate by {@code factor} for the next {@code forSteps} steps: a reaction to drift. */
    public void boost(float factor, int forSteps) {
        this.boostFactor = factor;
        this.boostSteps = forSteps;
    }

    /** Called once after every optimizer step, to count down a boost. */
    public void stepDone() {
        if (boostSteps > 0) {
            boostSteps--;
        }
    }

    @Override
    public void update(String parameterId, NDArray weight, NDArray grad) {
        String name = nameOfId.getOrDefault(parameterId, parameterId);
        int t = steps.merge(name, 1, Integer::sum);
        apply(weight, grad, t, n -> state(name, weight, n));
    }

    /**
     * Updates each parameter {@code weights.get(i)} (named {@code names.get(i)}) with its gradient. DJL's
     * Trainer.step() does the same through its ParameterServer, which copies every gradient first.
     */
    public void updateAll(List<String> names, List<NDArray> weights) {
        for (int i = 0; i < weights.size(); i++) {
            String name = names.get(i);
            NDArray weight = weights.get(i);
            int t = steps.merge(name, 1, Integer::sum);
            try (NDArray grad = weight.getGradient()) {
                apply(weight, grad, t, n -> state(name, weight, n));
            }
        }
    }

    private void apply(NDArray weight, NDArray grad, int t, IntFunction<NDArray[]> stateOf) {
        float rate = schedule.rate(baseRate, t) * (boostSteps > 0 ? boostFactor : 1f);
        float wd = getWeightDecay();
        switch (kind) {
            case "adam" -> {
                NDArray[] s = stateOf.apply(2);
                double coef1 = 1.0 - Math.pow(ADAM_BETA1, t);
                double coef2 = 1.0 - Math.pow(ADAM_BETA2, t);
                float corrected = (float) (rate * Math.sqrt(coef2) / coef1);
                weight.getNDArrayInternal().adamUpdate(new NDList(weight, grad, s[0], s[1]), new NDList(weight),
                        rate, corrected, wd, rescaleGrad, clipGrad, ADAM_BETA1, ADAM_BETA2, ADAM_EPSILON, true, false);
            }
            case "sgd" -> {
                NDList inputs = momentum != 0f ? new NDList(weight, grad, stateOf.apply(1)[0])
                        : new NDList(weight, grad);
                weight.getNDArrayInternal().sgdUpdate(inputs, new NDList(weight), rate, wd, rescaleGrad, clipGrad,
                        momentum, true);
            }
            case "adagrad" -> adagrad(weight, grad, stateOf.apply(1)[0], rate, wd);
            default -> throw new IllegalStateException("unknown optimizer " + kind);
        }
    }

    /**
     * h += g²; w -= rate · g / (√h + ε), with g = grad + wd · w. The weight update itself goes
     * through the engine's native SGD update, which also clears the gradient (an in-place op on a
     * gradient handle does not reach the tensor autograd accumulates into).
     */
    private void adagrad(NDArray weight, NDArray grad, NDArray history, float rate, float wd) {
        try (NDScope scope = new NDScope()) {
            NDArray g = grad.mul(rescaleGrad);
            if (wd != 0f) {
                g = g.add(weight.stopGradient().mul(wd));
            }
            if (clipGrad > 0) {
                g = g.clip(-clipGrad, clipGrad);
            }
            history.addi(g.square());
            NDArray step = g.div(history.sqrt().add(ADAGRAD_EPSILON));
            weight.getNDArrayInternal().sgdUpdate(new NDList(weight, step), new NDList(weight), rate, 0f, 1f, -1f,
                    0f, true);
        }
    }

    private NDArray[] state(String name, NDArray weight, int n) {
        return state.computeIfAbsent(name, k -> {
            NDArray[] arrays = new NDArray[n];
            float[][] restored = pendingRestore.get(name);
            for (int i = 0; i < n; i++) {
                arrays[i] = restored != null && i < restored.length
                        ? weight.getManager().create(restored[i], weight.getShape()).toDevice(weight.getDevice(), false)
                        : weight.zerosLike();
                arrays[i].setName(name + ".opt" + i);
            }
            return arrays;
        });
    }

    private void closeState() {
        state.values().forEach(a -> {
            for (NDArray x : a) {
                x.close();
            }
        });
        state.clear();
    }

    /** The state as bytes: per parameter name its step count and state arrays. Syncs with the device. */
    public byte[] exportState() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(STATE_MAGIC);
            out.writeInt(STATE_VERSION);
            out.writeUTF(kind);
            Map<String, Integer> allSteps = new TreeMap<>(pendingSteps);
            allSteps.putAll(steps);
            out.writeInt(allSteps.size());
            for (Map.Entry<String, Integer> e : allSteps.entrySet()) {
                out.writeUTF(e.getKey());
                out.writeInt(e.getValue());
                NDArray[] arrays = state.get(e.getKey());
                float[][] values = arrays == null ? pendingRestore.getOrDefault(e.getKey(), new float[0][]) : null;
                int n = arrays != null ? arrays.length : values.length;
                out.writeInt(n);
                for (int i = 0; i < n; i++) {
                    float[] v = arrays != null ? arrays[i].toFloatArray() : values[i];
                    out.writeInt(v.length);
                    // In bulk, the bytes writeFloat would write one synchronized call at a time (big-endian).
                    ByteBuffer raw = ByteBuffer.allocate(v.length * Float.BYTES);
                    raw.asFloatBuffer().put(v);
                    out.write(raw.array());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** Restores state exported by {@link #exportState()}; arrays are created lazily on the first step. */
    public void restoreState(byte[] blob) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(blob))) {
            if (in.readInt() != STATE_MAGIC) {
                throw new IllegalStateException("optimizer state: bad magic, expected SLOS");
            }
            int version = in.readInt();
            if (version != STATE_VERSION) {
                throw new IllegalStateException("optimizer state format " + version + " is not supported (knows "
                        + STATE_VERSION + ")");
            }
            String savedKind = in.readUTF();
            if (!savedKind.equals(kind)) {
                // A changed optimizer starts with fresh state; its schedule restarts too.
                return;
            }
            Map<String, float[][]> values = new HashMap<>();
            Map<String, Integer> counts = new HashMap<>();
            int params = in.readInt();
            for (int p = 0; p < params; p++) {
                String name = in.readUTF();
                counts.put(name, in.readInt());
                float[][] arrays = new float[in.readInt()][];
                for (int i = 0; i < arrays.length; i++) {
                    int n = in.readInt();
                    if (n < 0 || (long) n * Float.BYTES > blob.length) {
                        throw new IllegalStateException("optimizer state is corrupt: " + n + " values for " + name
                                + " in " + blob.length + " bytes");
                    }
                    byte[] raw = new byte[n * Float.BYTES];
                    in.readFully(raw);
                    arrays[i] = new float[n];
                    ByteBuffer.wrap(raw).asFloatBuffer().get(arrays[i]);
                }
                values.put(name, arrays);
            }
            closeState();
            steps.clear();
            steps.putAll(counts);
            pendingSteps = counts;
            pendingRestore = values;
        } catch (IOException e) {
            throw new IllegalStateException("optimizer state is truncated or corrupt: " + e.getMessage(), e);
        }
    }


    /** Builder for the base class's rescale, weight decay and clipping settings. */
    private static final class Builder extends OptimizerBuilder<Builder> {
        @Override
        protected Builder self() {
            return this;
        }
    }
}
