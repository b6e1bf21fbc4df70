package io.streamlearn.trainer.state;

import ai.djl.Device;
import io.streamlearn.core.example.Example;
import io.streamlearn.core.example.Features;
import io.streamlearn.core.model.ModelSpec;
import io.streamlearn.trainer.learn.LearningMetrics;
import io.streamlearn.trainer.learn.OnlineLearner;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * The measurement behind {@link ModelMerge}'s optimizer-state rule: two learners train on alternate halves of
 * Fashion-MNIST and merge every K batches (one checkpoint of a data-parallel job) by {@link ModelMerge}, with the
 * optimizer state reset, taken from the heaviest subtask, or averaged (moments weighted by examples); the test
 * accuracy after one pass is printed per rule. Run by hand:
 * {@code java -cp <trainer test classpath> io.streamlearn.trainer.state.OptimizerMergeRuleMeasurement [dir] [K]}.
 */
public final class OptimizerMergeRuleMeasurement {
    private OptimizerMergeRuleMeasurement() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : "/usr/share/datasets/fashion-mnist");
        int every = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        ModelSpec spec = ModelSpec.read(Path.of("specs/mlp.json"));
        int limit = args.length > 2 ? Integer.parseInt(args[2]) : 60_000;
        List<Example> train = read(dir, "train").subList(0, limit);
        List<Example> test = read(dir, "t10k");
        System.out.println("RESULT rule=single accuracy=" + single(spec, train, test));
        for (String rule : List.of("reset", "heaviest", "average")) {
            System.out.println("RESULT rule=" + rule + " merge_every_batches=" + every + " accuracy="
                    + parallel(spec, train, test, rule, every));
        }
    }

    private static double single(ModelSpec spec, List<Example> train, List<Example> test) {
        try (OnlineLearner l = new OnlineLearner(spec, Device.cpu(), 0, spec.batchSize(), null)) {
            for (int i = 0; i + spec.batchSize() <= train.size(); i += spec.batchSize()) {
                l.step(train.subList(i, i + spec.batchSize()));
            }
            return accuracy(l, test);
        }
    }

    private static double parallel(ModelSpec spec, List<Example> train, List<Example> test, String rule, int every) {
        int b = spec.batchSize();
        try (OnlineLearner a = new OnlineLearner(spec, Device.cpu(), 0, b, null);
                OnlineLearner c = new OnlineLearner(spec, Device.cpu(), 0, b, null)) {
            LearningMetrics base = new LearningMetrics(spec.classes());
            long checkpoint = 0;
            int batches = 0;
            long wa = 0;
            long wc = 0;
            for (int i = 0; i + 2 * b <= train.size(); i += 2 * b) {
                a.step(train.subList(i, i + b));
                c.step(train.subList(i + b, i + 2 * b));
                wa += b;
                wc += b;
                if (++batches % every == 0) {
                    checkpoint++;
                    List<Contribution> cs = List.of(contribution(a, 0, checkpoint, wa, base),
                            contribution(c, 1, checkpoint, wc, base));
                    ModelMerge m = ModelMerge.of(cs);
                    byte[] opt = switch (rule) {
                        case "reset" -> null;
                        case "heaviest" -> m.optimizerState();
                        default -> averageMoments(cs);
                    };
                    for (OnlineLearner l : List.of(a, c)) {
                        l.loadParameterValues(m.params());
                        if (opt == null) {
                            l.resetOptimizer();
                        } else {
                            l.loadOptimizerState(opt);
                        }
                    }
                    wa = 0;
                    wc = 0;
                }
            }
            return accuracy(a, test);
        }
    }

    private static Contribution contribution(OnlineLearner l, int subtask, long checkpoint, long weight,
            LearningMetrics base) {
        TrainerState s = new TrainerState(new byte[0], l.saveOptimizerState(), base, List.of(), 0, new byte[0], "m");
        return new Contribution(subtask, 2, checkpoint, weight, l.parameterNames(), l.parameterValues(), base, s,
                new long[0], new byte[0]);
    }

    /** The optimizer states' arrays averaged by weight, step counts the heaviest's (the SLOS layout of 2026-12). */
    private static byte[] averageMoments(List<Contribution> cs) {
        long total = cs.stream().mapToLong(Contribution::weight).sum();
        Map<String, float[][]> sum = new LinkedHashMap<>();
        Map<String, Integer> steps = new LinkedHashMap<>();
        String kind = null;
        for (Contribution c : cs) {
            try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(c.state().optimizerState()))) {
                in.readInt();
                in.readInt();
                kind = in.readUTF();
                int n = in.readInt();
                for (int p = 0; p < n; p++) {
                    String name = in.readUTF();
                    steps.merge(name, in.readInt(), Math::max);
                    float[][] arrays = new float[in.readInt()][];
                    for (int i = 0; i < arrays.length; i++) {
                        arrays[i] = new float[in.readInt()];
                        for (int k = 0; k < arrays[i].length; k++) {
                            arrays[i][k] = in.readFloat() * c.weight() / (float) total;
                        }
                    }
                    sum.merge(name, arrays, (x, y) -> {
                        for (int i = 0; i < x.length; i++) {
                            for (int k = 0; k < x[i].length; k++) {
                                x[i][k] += y[i][k];
                            }
                        }
                        return x;
                    });
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(0x534C4F53);
            out.writeInt(1);
            out.writeUTF(kind);
            out.writeInt(sum.size());
            for (var e : sum.entrySet()) {
                out.writeUTF(e.getKey());
                out.writeInt(steps.get(e.getKey()));
                out.writeInt(e.getValue().length);
                for (float[] a : e.getValue()) {
                    out.writeInt(a.length);
                    for (float f : a) {
                        out.writeFloat(f);
                    }
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return bytes.toByteArray();
    }

    private static double accuracy(OnlineLearner l, List<Example> test) {
        int correct = 0;
        for (int i = 0; i < test.size(); i += 128) {
            List<Example> batch = test.subList(i, Math.min(test.size(), i + 128));
            int[] p = l.predict(batch);
            for (int k = 0; k < p.length; k++) {
                correct += p[k] == batch.get(k).label() ? 1 : 0;
            }
        }
        return (double) correct / test.size();
    }

    private static List<Example> read(Path dir, String set) throws IOException {
        byte[] images = gunzip(dir.resolve(set + "-images-idx3-ubyte.gz"));
        byte[] labels = gunzip(dir.resolve(set + "-labels-idx1-ubyte.gz"));
        int n = labels.length - 8;
        List<Example> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            byte[] px = new byte[784];
            System.arraycopy(images, 16 + i * 784, px, 0, 784);
            out.add(Example.labeled(set + i, new Features.Uint8(px), labels[8 + i]));
        }
        return out;
    }

    private static byte[] gunzip(Path file) throws IOException {
        try (GZIPInputStream in = new GZIPInputStream(Files.newInputStream(file))) {
            return in.readAllBytes();
        }
    }
}
