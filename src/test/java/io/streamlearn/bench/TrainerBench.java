package io.streamlearn.bench;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import io.streamlearn.app.SpecResolver;
import io.streamlearn.core.broker.EmbeddedKafkaBroker;
import io.streamlearn.core.example.Example;
import io.streamlearn.core.example.Features;
import io.streamlearn.core.kafka.KafkaClients;
import io.streamlearn.core.kafka.Topics;
import io.streamlearn.core.model.ModelSpec;
import io.streamlearn.core.model.NetworkBuilder;
import io.streamlearn.core.snapshot.SnapshotManifest;
import io.streamlearn.core.snapshot.SnapshotStore;
import io.streamlearn.core.testkit.BenchStats;
import io.streamlearn.core.testkit.ExampleRecords;
import io.streamlearn.e2e.ThreadCpu;
import io.streamlearn.ingest.source.IdxSource;
import io.streamlearn.trainer.learn.OnlineLearner;
import io.streamlearn.trainer.learn.OnlineOptimizer;
import io.streamlearn.trainer.learn.TrainingSetup;
import io.streamlearn.trainer.job.TrainerConfig;
import io.streamlearn.trainer.job.TrainerJob;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.ToLongFunction;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.admin.Admin;

/**
 * Trainer throughput and accuracy on Fashion-MNIST, one pass in stream order: the examples topic
 * (one partition, so the order is the file's) trained through the Flink job, against the same
 * model trained by a bare DJL loop on batches already in memory and, when Python's torch is there,
 * by the same network, optimizer, batch and thread count in PyTorch ({@code bench/gpu_torch.py}), all
 * in the same run. Each is measured over several rounds (the job: a fresh job per round on its own
 * topics, its rate between its first and last snapshot); the RESULT line gives medians with their range,
 * {@code ratio} (job ÷ bare DJL loop) and {@code vs_pytorch} (job ÷ PyTorch). Details go to stderr.
 */
public final class TrainerBench {
    private TrainerBench() {}

    public static void main(String[] args) throws Exception {
        // All three measurements with the trainer's thread setting (the bare loop loads the engine first).
        io.streamlearn.trainer.learn.EngineThreads.configureDefault();
        String specName = args.length > 0 ? args[0] : "mlp";
        int limit = args.length > 1 ? Integer.parseInt(args[1]) : 60_000;
        int rounds = Integer.getInteger("bench.rounds", 3);
        int threads = Integer.parseInt(System.getProperty(io.streamlearn.trainer.learn.EngineThreads.PROPERTY));
        ModelSpec spec = SpecResolver.resolve(specName);
        List<Example> train = load("fashion-mnist/train", limit);
        List<Example> test = load("fashion-mnist/t10k", Integer.MAX_VALUE);
        log("loaded %d train and %d test examples; spec %s, batch %d, %s %s; libtorch threads %d; %d rounds",
                train.size(), test.size(), spec.name(), spec.batchSize(), spec.optimizer().type(),
                spec.optimizer().learningRate(), threads, rounds);

        int whole = train.size() / spec.batchSize() * spec.batchSize();
        double[] torch = GpuBench.torchRounds(spec, Device.cpu(), train.subList(0, whole), rounds,
                whole / spec.batchSize() / 10, threads);
        double[] bare = bareLoop(spec, train, rounds);
        log("bare in-memory DJL loop: %s examples/s", java.util.Arrays.toString(bare));
        // The job's own step without Flink and Kafka: splits ratio into the step's extra work (predictions,
        // finiteness, metrics' inputs) and what the job around it costs.
        double[] learnerOnly = learnerLoop(spec, train, rounds);
        log("OnlineLearner.step in memory: %s examples/s", java.util.Arrays.toString(learnerOnly));

        // The rate over several passes, so that its window (first to last snapshot) lasts seconds, not one or two
        // checkpoint intervals; the accuracy of one pass, as the bare loop and PyTorch learn it. The one-pass job
        // runs first: the timed job then finds the JIT's work done, as in a trainer that has run for a while (the
        // bare loop warms up too); otherwise C2 compiled for about half a core of the first timed window.
        int passes = Integer.getInteger("bench.passes", 3);
        double[] job = new double[rounds];
        double[] prequential = new double[rounds];
        double[] testAcc = new double[rounds];
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().build().start()) {
            for (int r = 0; r < rounds; r++) {
                double[] m = jobRound(broker.bootstrapServers(), spec, train, test, "a" + r, 1);
                prequential[r] = m[1];
                testAcc[r] = m[2];
                job[r] = jobRound(broker.bootstrapServers(), spec, train, test, "r" + r, passes)[0];
            }
        }
        System.out.printf(Locale.ROOT, "RESULT spec=%s trainer_examples_per_s=%s inmemory_examples_per_s=%s "
                        + "torch_examples_per_s=%s ratio=%.2f vs_pytorch=%s prequential_acc=%.4f test_acc=%.4f%n",
                spec.name(), BenchStats.medianRange(job, "%.0f"), BenchStats.medianRange(bare, "%.0f"),
                torch == null ? "none" : BenchStats.medianRange(torch, "%.0f"),
                BenchStats.median(job) / BenchStats.median(bare), torch == null ? "none"
                        : String.format(Locale.ROOT, "%.2f", BenchStats.median(job) / BenchStats.median(torch)),
                BenchStats.median(prequential), BenchStats.median(testAcc));
        System.exit(0);
    }

    /**
     * {@code passes} passes (ids made distinct per pass) through a fresh job on its own topics (prefix
     * {@code <name>.}) and store: the steady-state rate between its first snapshot and the last one taken while
     * examples were left to train (start-up and the wait after the stream ran dry are not training), the last snapshot's cumulative prequential accuracy and its test accuracy.
     */
    private static double[] jobRound(String bootstrap, ModelSpec spec, List<Example> train, List<Example> test,
            String name, int passes) throws Exception {
        Topics topics = new Topics(name + ".");
        try (Admin admin = KafkaClients.admin(bootstrap, Map.of())) {
            topics.createAll(admin, 1, (short) 1);
        }
        for (int pass = 0; pass < passes; pass++) {
            List<Example> copy = new ArrayList<>(train.size());
            for (Example e : train) {
                copy.add(pass == 0 ? e : new Example(e.id() + "-p" + pass, e.features(), e.label(), e.weight(),
                        e.timestampMs()));
            }
            produce(bootstrap, topics.examples(), copy);
        }
        long total = (long) train.size() * passes;
        Path store = Files.createTempDirectory("streamlearn-bench-store-");
        try {
            TrainerConfig config = TrainerConfig.builder().setBootstrapServers(bootstrap)
                    .setSpec(spec).setStoreRoot(store.toString()).optTopicPrefix(topics.prefix())
                    .optGroupId("bench-" + name).optHoldoutFraction(0.0)
                    .optCheckpointIntervalMs(Long.getLong("bench.checkpoint.ms", 1000)).optMaxWaitMs(200)
                    .optDevice("auto").build();
            SnapshotStore snapshots = new SnapshotStore(store);
            JobClient job = TrainerJob.runLocal(config, new Configuration());
            // Where the job's CPU goes from its first snapshot on (this JVM runs the job, its MiniCluster and the
            // broker), by thread: what the rate alone cannot say.
            Map<String, Long> self = Map.of("bench", ProcessHandle.current().pid());
            ThreadCpu atFirst = null;
            ThreadCpu atLast;
            try {
                long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(20);
                while (snapshots.latest(spec.name()).map(m -> m.examplesSeen() < total).orElse(true)) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("the job did not train " + total + " examples in 20 min");
                    }
                    if (atFirst == null && snapshots.latest(spec.name()).isPresent()) {
                        atFirst = ThreadCpu.sample(self);
                    }
                    Thread.sleep(20);
                }
                atLast = ThreadCpu.sample(self);
            } finally {
                job.cancel().get(60, TimeUnit.SECONDS);
            }
            List<SnapshotManifest> history = new ArrayList<>();
            for (long v : snapshots.versions(spec.name())) {
                history.add(snapshots.manifest(spec.name(), v));
            }
            SnapshotManifest last = history.get(history.size() - 1);
            SnapshotManifest first = history.get(0);
            SnapshotManifest lastBusy = lastWithBacklog(history, SnapshotManifest::examplesSeen, total, spec.batchSize());
            double rate = (lastBusy.examplesSeen() - first.examplesSeen()) * 1000.0
                    / Math.max(1, lastBusy.createdMs() - first.createdMs());
            double testAcc = testAccuracy(spec, Files.readAllBytes(snapshots.directory(spec.name(), last.version())
                    .resolve(last.paramsFile())), test);
            double prequential = last.metric("prequential_accuracy_cumulative");
            log("job %s (%d passes): %d snapshots, %d examples from v%d to v%d in %d ms: %.0f examples/s; prequential "
                    + "%.4f, test %.4f", name, passes, history.size(), lastBusy.examplesSeen() - first.examplesSeen(),
                    first.version(), lastBusy.version(), lastBusy.createdMs() - first.createdMs(), rate, prequential,
                    testAcc);
            if (atFirst != null && passes > 1) {
                log("job %s: CPU seconds by thread (>= 0.05 s) from about its first snapshot to its last:%n%s", name,
                        atLast.since(atFirst, 0.05));
            }
            return new double[] {rate, prequential, testAcc};
        } finally {
            deleteTree(store);
        }
    }

    /**
     * The end of a rate's window in {@code history} (oldest first): the last snapshot whose checkpoint still left at
     * least {@code examplesPerStep} of the {@code total} examples to train, so the trainer was busy up to it. A later
     * one can be taken after the stream ran dry, up to a checkpoint interval later: counting that idle wait made the
     * rate a fifth lower than the trainer's. When none after the first qualifies, the last one (a window with the
     * idle wait beats none).
     */
    static <T> T lastWithBacklog(List<T> history, ToLongFunction<T> examplesSeen, long total, long examplesPerStep) {
        T end = history.get(0);
        for (T m : history) {
            if (examplesSeen.applyAsLong(m) <= total - examplesPerStep) {
                end = m;
            }
        }
        return end == history.get(0) ? history.get(history.size() - 1) : end;
    }

    static List<Example> load(String name, int limit) {
        List<Example> out = new ArrayList<>();
        try (IdxSource src = IdxSource.open(name)) {
            while (src.hasNext() && out.size() < limit) {
                out.add(src.next());
            }
        }
        return out;
    }

    private static void produce(String bootstrap, String topic, List<Example> examples) throws Exception {
        ExampleRecords.send(bootstrap, ExampleRecords.binary(topic, examples));
    }

    /**
     * The same model and optimizer, trained on batches assembled in memory beforehand, the way a DJL user
     * writes it (DJL's Trainer.step()): the reference. A tenth of a pass warms up, then each round is a pass.
     */
    private static double[] bareLoop(ModelSpec spec, List<Example> train, int rounds) {
        int b = spec.batchSize();
        int n = train.size() / b * b;
        int f = spec.featureCount();
        try (Model model = Model.newInstance(spec.name(), Device.cpu())) {
            model.setBlock(NetworkBuilder.build(spec));
            try (Trainer trainer = model.newTrainer(TrainingSetup.config(spec, Device.cpu(),
                    new OnlineOptimizer(spec.optimizer())))) {
                trainer.initialize(NetworkBuilder.inputShape(spec, b));
                NDManager m = trainer.getManager();
                List<NDList> batches = new ArrayList<>();
                for (int i = 0; i < n; i += b) {
                    ByteBuffer buf = ByteBuffer.allocateDirect(b * f).order(ByteOrder.nativeOrder());
                    float[] y = new float[b];
                    for (int k = 0; k < b; k++) {
                        Example e = train.get(i + k);
                        buf.put(((Features.Uint8) e.features()).values());
                        y[k] = e.label();
                    }
                    buf.flip();
                    batches.add(new NDList(m.create(buf, new Shape(b, f), DataType.UINT8), m.create(y)));
                }
                // A tenth of a pass is warm-up (JIT, libtorch's first calls), as the job's rate starts at its
                // first snapshot, after start-up.
                int warmUp = batches.size() / 10;
                for (int k = 0; k < warmUp; k++) {
                    bareStep(trainer, batches.get(k));
                }
                double[] rates = new double[rounds];
                var cpu = java.lang.management.ManagementFactory.getThreadMXBean();
                for (int r = 0; r < rounds; r++) {
                    long start = System.nanoTime();
                    long cpuStart = cpu.getCurrentThreadCpuTime();
                    for (NDList batch : batches) {
                        bareStep(trainer, batch);
                    }
                    // Wait for the device before stopping the clock.
                    model.getBlock().getParameters().get(0).getValue().getArray().toFloatArray();
                    rates[r] = (double) batches.size() * b * 1e9 / (System.nanoTime() - start);
                    log("bare loop round %d: %.1f us CPU per example on the stepping thread", r + 1,
                            (cpu.getCurrentThreadCpuTime() - cpuStart) / 1e3 / n);
                }
                return rates;
            }
        }
    }

    /**
     * The job's step, {@link OnlineLearner#step}, on the same batches in memory, on this thread: a tenth of a pass
     * warms up, then each round is a pass. Logs the CPU time per example too (the machine's load does not inflate it).
     */
    private static double[] learnerLoop(ModelSpec spec, List<Example> train, int rounds) {
        int b = spec.batchSize();
        int n = train.size() / b * b;
        var cpu = java.lang.management.ManagementFactory.getThreadMXBean();
        try (OnlineLearner learner = new OnlineLearner(spec, Device.cpu(), 0.0, b, null)) {
            for (int i = 0; i < n / 10 / b * b; i += b) {
                learner.step(train.subList(i, i + b));
            }
            double[] rates = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                long start = System.nanoTime();
                long cpuStart = cpu.getCurrentThreadCpuTime();
                for (int i = 0; i < n; i += b) {
                    learner.step(train.subList(i, i + b));
                }
                long cpuNanos = cpu.getCurrentThreadCpuTime() - cpuStart;
                rates[r] = (double) n * 1e9 / (System.nanoTime() - start);
                log("OnlineLearner.step round %d: %.1f us CPU per example on the stepping thread", r + 1,
                        cpuNanos / 1e3 / n);
            }
            return rates;
        }
    }

    private static void bareStep(Trainer trainer, NDList batch) {
        // Each step's activations are freed with its scope, as the trainer frees them per batch.
        try (NDScope scope = new NDScope(); GradientCollector gc = trainer.newGradientCollector()) {
            NDList out = trainer.forward(new NDList(batch.get(0)));
            NDArray loss = trainer.getLoss().evaluate(new NDList(batch.get(1)), out);
            gc.backward(loss);
        }
        // Outside the scope: the optimizer creates its moments on the first step, and they must live on.
        trainer.step();
    }

    static double testAccuracy(ModelSpec spec, byte[] params, List<Example> test) {
        try (OnlineLearner learner = new OnlineLearner(spec, Device.cpu(), 0.0, 1000, params)) {
            int correct = 0;
            for (int i = 0; i < test.size(); i += 1000) {
                List<Example> chunk = test.subList(i, Math.min(test.size(), i + 1000));
                int[] p = learner.predict(chunk);
                for (int k = 0; k < p.length; k++) {
                    correct += p[k] == chunk.get(k).label() ? 1 : 0;
                }
            }
            return (double) correct / test.size();
        }
    }

    private static void log(String format, Object... args) {
        System.err.printf(Locale.ROOT, "trainer-bench: " + format + "%n", args);
    }

    private static void deleteTree(Path dir) throws java.io.IOException {
        try (var s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
