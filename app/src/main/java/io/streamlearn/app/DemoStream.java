package io.streamlearn.app;

import io.streamlearn.core.example.Example;
import io.streamlearn.core.example.Features;
import io.streamlearn.core.model.ModelSpec;
import io.streamlearn.core.model.OptimizerSpec;
import io.streamlearn.ingest.source.FashionDrift;
import io.streamlearn.ingest.source.IdxSource;
import io.streamlearn.ingest.source.SyntheticClassification;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The demo's endless labeled stream with one abrupt concept change: Fashion-MNIST (epoch after epoch)
 * or, without it, a separable synthetic stream; after {@link #drift()} every label is mapped through
 * a seeded permutation that moves every class. Not thread-safe: one producer thread draws from it.
 */
abstract class DemoStream {
    private final int[] permutation;
    private volatile boolean drifted;
    private long index;

    DemoStream(int classes, long seed) {
        this.permutation = FashionDrift.derangement(classes, seed);
    }

    /** The model the demo trains on this stream unless the user names one. */
    abstract ModelSpec defaultSpec();

    /** A short description for the start banner. */
    abstract String describe();

    protected abstract Example raw(long i);

    /** The next example, its label permuted once the drift happened. */
    final Example next() {
        Example e = raw(index++);
        if (!drifted) {
            return e;
        }
        return new Example(e.id() + "-d", e.features(), permutation[e.label()], e.weight(), e.timestampMs());
    }

    /** From now on the concept is the permuted one. */
    final void drift() {
        drifted = true;
    }

    final boolean drifted() {
        return drifted;
    }

    /** Fashion-MNIST train, held in memory (47 MB of pixels), replayed epoch after epoch. */
    static final class Fashion extends DemoStream {
        private final Path dir;
        private final List<byte[]> pixels = new ArrayList<>();
        private final List<Integer> labels = new ArrayList<>();

        Fashion(Path dir, long seed) {
            super(10, seed);
            this.dir = dir;
            try (IdxSource src = new IdxSource(dir.resolve("train-images-idx3-ubyte.gz"),
                    dir.resolve("train-labels-idx1-ubyte.gz"), "f")) {
                while (src.hasNext()) {
                    Example e = src.next();
                    pixels.add(((Features.Uint8) e.features()).values());
                    labels.add(e.label());
                }
            }
        }

        static boolean availableIn(Path dir) {
            return Files.isRegularFile(dir.resolve("train-images-idx3-ubyte.gz"))
                    && Files.isRegularFile(dir.resolve("train-labels-idx1-ubyte.gz"));
        }

        @Override
        ModelSpec defaultSpec() {
            return SpecResolver.resolve("mlp");
        }

        @Override
        String describe() {
            return "Fashion-MNIST from " + dir + " (" + pixels.size() + " images, replayed)";
        }

        @Override
        protected Example raw(long i) {
            int k = (int) (i % pixels.size());
            return Example.labeled("fm-" + i, Features.ofUint8(pixels.get(k)), labels.get(k));
        }
    }

    /** The seeded separable synthetic classification stream. */
    static final class Synthetic extends DemoStream {
        private final SyntheticClassification source;

        Synthetic(int features, int classes, double classSep, long seed) {
            super(classes, seed);
            this.source = new SyntheticClassification(features, classes, classSep, seed, Long.MAX_VALUE, "syn-");
        }

        @Override
        ModelSpec defaultSpec() {
            return ModelSpec.mlp("synthetic", source.features(), source.classes(), 64)
                    .withOptimizer(OptimizerSpec.adam(0.01f));
        }

        @Override
        String describe() {
            return "synthetic classification, " + source.features() + " features, " + source.classes() + " classes";
        }

        @Override
        protected Example raw(long i) {
            return source.next();
        }
    }
}
