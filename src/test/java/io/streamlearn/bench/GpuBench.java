package io.streamlearn.bench;

import ai.djl.Device;
import ai.djl.engine.Engine;
import io.streamlearn.app.SpecResolver;
import io.streamlearn.core.example.Example;
import io.streamlearn.core.example.Features;
import io.streamlearn.core.model.ModelSpec;
import io.streamlearn.core.testkit.BenchStats;
import io.streamlearn.ingest.source.IdxSource;
import io.streamlearn.trainer.learn.DeviceSelector;
import io.streamlearn.trainer.learn.EngineThreads;
import io.streamlearn.trainer.learn.OnlineLearner;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * The GPU check (issue 13 item 5): the trainer's {@link OnlineLearner} on batches already in memory
 * (no Kafka, no Flink), on the GPU when DJL sees one, else on the CPU, against the same network,
 * optimizer, batch and test-then-train step in PyTorch on the same device when Python's torch is
 * there ({@code bench/gpu_torch.py}). Prints exactly one {@code RESULT} line; details go to stderr.
 */
public final class GpuBench {
    private GpuBench() {}

    public static void main(String[] args) throws Exception {
        // The trainer's libtorch thread setting, for DJL and (passed on) for PyTorch alike.
        EngineThreads.configureDefault();
        ModelSpec spec = SpecResolver.resolve(System.getProperty("bench.spec", "mlp"));
        int rounds = Integer.getInteger("bench.rounds", 3);
        int warmUpBatches = Integer.getInteger("bench.warmupBatches", 100);
        int b = spec.batchSize();
        List<Example> data = load(spec, Integer.getInteger("bench.examples", 60_000));
        int n = data.size() / b * b;
        int threads = Integer.parseInt(System.getProperty(EngineThreads.PROPERTY));

        Device device = DeviceSelector.select("auto", 0);
        Engine engine = Engine.getInstance();
        if (device.isGpu()) {
            log("DJL sees %d GPU(s) (%s %s): training on %s", engine.getGpuCount(), engine.getEngineName(),
                    engine.getVersion(), device);
        } else {
            log("no GPU found: DJL (%s %s) sees none, training on the CPU with %d libtorch thread(s); for a GPU set "
                    + "PYTORCH_LIBRARY_PATH to a CUDA libtorch (README, Benchmarks)", engine.getEngineName(),
                    engine.getVersion(), threads);
        }
        log("spec %s, batch %d, %s %s; %d examples per round, %d rounds after %d warm-up batches", spec.name(), b,
                spec.optimizer().type(), spec.optimizer().learningRate(), n, rounds, warmUpBatches);

        double[] djl = djlRounds(spec, device, data.subList(0, n), rounds, warmUpBatches);
        log("DJL OnlineLearner: %s examples/s", Arrays.toString(djl));
        double[] torch = torchRounds(spec, device, data.subList(0, n), rounds, warmUpBatches, threads);
        System.out.printf(Locale.ROOT, "RESULT device=%s djl_examples_per_s=%s torch_examples_per_s=%s ratio=%s%n",
                device.isGpu() ? "gpu" : "cpu", BenchStats.medianRange(djl, "%.0f"),
                torch == null ? "none" : BenchStats.medianRange(torch, "%.0f"),
                torch == null ? "none"
                        : String.format(Locale.ROOT, "%.2f", BenchStats.median(djl) / BenchStats.median(torch)));
        System.exit(0);
    }

    /**
     * Fashion-MNIST train when Debian's dataset is installed (and {@code bench.synthetic} is not set), else
     * seeded synthetic images of the spec's feature count.
     */
    private static List<Example> load(ModelSpec spec, int limit) {
        List<Example> out = new ArrayList<>();
        if (!Boolean.getBoolean("bench.synthetic") && Files.isDirectory(IdxSource.FASHION_MNIST_DIR)
                && spec.featureCount() == 784) {
            try (IdxSource src = IdxSource.open("fashion-mnist/train")) {
                while (src.hasNext() && out.size() < limit) {
                    out.add(src.next());
                }
            }
            log("data: Fashion-MNIST train, %d examples", out.size());
            return out;
        }
        // One bright band per class over uniform noise: learnable, so the loss stays finite and every step steps.
        Random r = new Random(spec.seed());
        int f = spec.featureCount();
        for (int i = 0; i < limit; i++) {
            int label = r.nextInt(spec.classes());
            byte[] x = new byte[f];
            r.nextBytes(x);
            for (int k = label * f / spec.classes(); k < (label + 1) * f / spec.classes(); k++) {
                x[k] = (byte) 255;
            }
            out.add(new Example("synthetic-" + i, Features.ofUint8(x), label, 1f, Example.NO_TIMESTAMP));
        }
        log("data: %s not used, %d synthetic %d-feature examples", IdxSource.FASHION_MNIST_DIR, out.size(), f);
        return out;
    }

    /** Rounds of the trainer's test-then-train step over all batches; its loss read-back ends each step on the host. */
    private static double[] djlRounds(ModelSpec spec, Device device, List<Example> data, int rounds, int warmUp) {
        int b = spec.batchSize();
        List<List<Example>> batches = new ArrayList<>();
        for (int i = 0; i < data.size(); i += b) {
            batches.add(data.subList(i, i + b));
        }
        try (OnlineLearner learner = new OnlineLearner(spec, device, 0.0, b, null)) {
            for (int k = 0; k < warmUp; k++) {
                learner.step(batches.get(k % batches.size()));
            }
            double[] rates = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                long start = System.nanoTime();
                for (List<Example> batch : batches) {
                    learner.step(batch);
                }
                rates[r] = data.size() * 1e9 / (System.nanoTime() - start);
            }
            if (!learner.parametersFinite()) {
                throw new IllegalStateException("DJL's parameters are not finite after training: the check is void");
            }
            return rates;
        }
    }

    /**
     * The PyTorch reference on the same examples, written once to a file it reads; null (reported as none)
     * when {@code bench.python} is unset (gpu.sh found no Python with torch) or torch cannot use this device.
     */
    static double[] torchRounds(ModelSpec spec, Device device, List<Example> data, int rounds, int warmUp,
            int threads) throws IOException, InterruptedException {
        String python = System.getProperty("bench.python", "");
        if (python.isEmpty()) {
            log("PyTorch: no python3 with torch found, torch_examples_per_s=none");
            return null;
        }
        Path file = Files.createTempFile("streamlearn-gpubench-", ".bin");
        try {
            try (OutputStream o = new java.io.BufferedOutputStream(Files.newOutputStream(file))) {
                for (Example e : data) {
                    o.write(((Features.Uint8) e.features()).values());
                }
                for (Example e : data) {
                    o.write(e.label());
                }
            }
            Process p = new ProcessBuilder(python, System.getProperty("bench.torchScript", "bench/gpu_torch.py"),
                    file.toString(), Integer.toString(data.size()), Integer.toString(spec.featureCount()),
                    Integer.toString(spec.batchSize()), Float.toString(spec.optimizer().learningRate()),
                    device.isGpu() ? "cuda:" + device.getDeviceId() : "cpu", Integer.toString(rounds),
                    Integer.toString(warmUp), Integer.toString(threads), spec.name())
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String out;
            try (InputStream in = p.getInputStream()) {
                ByteArrayOutputStream buf = new ByteArrayOutputStream();
                in.transferTo(buf);
                out = buf.toString(StandardCharsets.UTF_8).trim();
            }
            if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
                p.destroyForcibly();
                log("PyTorch: %s exited without a result (see above), torch_examples_per_s=none", python);
                return null;
            }
            // The script's last stdout line: one examples/s figure per round.
            String[] last = out.substring(out.lastIndexOf('\n') + 1).trim().split("\\s+");
            double[] rates = Arrays.stream(last).mapToDouble(Double::parseDouble).toArray();
            log("PyTorch (%s): %s examples/s", python, Arrays.toString(rates));
            return rates;
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static void log(String format, Object... args) {
        System.err.printf(Locale.ROOT, "gpu-bench: " + format + "%n", args);
    }
}
