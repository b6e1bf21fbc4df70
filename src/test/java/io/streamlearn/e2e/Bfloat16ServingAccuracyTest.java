package io.streamlearn.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import io.streamlearn.core.example.Example;
import io.streamlearn.core.example.Features;
import io.streamlearn.core.model.ModelSpec;
import io.streamlearn.core.snapshot.SnapshotDraft;
import io.streamlearn.core.snapshot.SnapshotManifest;
import io.streamlearn.core.snapshot.SnapshotStore;
import io.streamlearn.ingest.source.IdxSource;
import io.streamlearn.serving.model.InferencePrecision;
import io.streamlearn.serving.model.LoadedModel;
import io.streamlearn.trainer.learn.OnlineLearner;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code serve --precision bfloat16} on what users serve: the {@code mlp} spec trained for one pass over
 * Fashion-MNIST by the trainer's own step, published, then loaded by serving in float32 and in bfloat16 and asked
 * for the 10,000 test images in full batches. bfloat16 must give float32's answer on nearly every image and the same
 * accuracy within half a point.
 */
class Bfloat16ServingAccuracyTest {
    private static final int BATCH = 250;

    @Test
    void aTrainedMlpAnswersTheTestSetInBfloat16AsInFloat32(@TempDir Path root) {
        ModelSpec spec = ModelSpec.read(Path.of(System.getProperty("user.dir")).getParent().resolve("specs/mlp.json"));
        List<Example> train = load("fashion-mnist/train");
        List<Example> test = load("fashion-mnist/t10k");
        byte[] params;
        int b = spec.batchSize();
        try (OnlineLearner learner = new OnlineLearner(spec, Device.cpu(), 0.0, b, null)) {
            for (int i = 0; i + b <= train.size(); i += b) {
                learner.step(train.subList(i, i + b));
            }
            params = learner.saveParameters();
        }
        SnapshotStore store = new SnapshotStore(root);
        SnapshotManifest m = store.publish(new SnapshotDraft(spec, params, train.size(), train.size() / b, -1, 0,
                "PyTorch", "cpu", Map.of(), Map.of("topic", "fashion-mnist/train")));

        int[] full = labels(store, m, InferencePrecision.FLOAT32, test);
        int[] reduced = labels(store, m, InferencePrecision.BFLOAT16, test);
        int same = 0;
        int rightFull = 0;
        int rightReduced = 0;
        for (int i = 0; i < test.size(); i++) {
            same += full[i] == reduced[i] ? 1 : 0;
            rightFull += full[i] == test.get(i).label() ? 1 : 0;
            rightReduced += reduced[i] == test.get(i).label() ? 1 : 0;
        }
        double agree = (double) same / test.size();
        double accFull = (double) rightFull / test.size();
        double accReduced = (double) rightReduced / test.size();
        System.out.printf(Locale.ROOT, "bfloat16 vs float32 on Fashion-MNIST t10k: top-1 agreement %.4f, test accuracy "
                + "%.4f (float32) and %.4f (bfloat16)%n", agree, accFull, accReduced);
        assertThat(accFull).as("one pass of the mlp spec learns Fashion-MNIST").isGreaterThan(0.80);
        assertThat(agree).as("bfloat16's top-1 class is float32's").isGreaterThanOrEqualTo(0.99);
        assertThat(Math.abs(accReduced - accFull)).as("test accuracy in bfloat16 against float32").isLessThan(0.005);
    }

    private static int[] labels(SnapshotStore store, SnapshotManifest m, InferencePrecision precision,
            List<Example> test) {
        int[] out = new int[test.size()];
        try (LoadedModel model = LoadedModel.load(store, m, BATCH, 1, precision)) {
            for (int from = 0; from < test.size(); from += BATCH) {
                List<Features> batch = new ArrayList<>();
                for (Example e : test.subList(from, Math.min(test.size(), from + BATCH))) {
                    batch.add(e.features());
                }
                LoadedModel.Scored[] scored = model.predict(batch);
                for (int r = 0; r < scored.length; r++) {
                    out[from + r] = scored[r].label();
                }
            }
        }
        return out;
    }

    private static List<Example> load(String name) {
        List<Example> out = new ArrayList<>();
        try (IdxSource src = IdxSource.open(name)) {
            while (src.hasNext()) {
                out.add(src.next());
            }
        }
        return out;
    }
}
