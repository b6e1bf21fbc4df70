package io.streamlearn.trainer.learn;

/**
 * Sizes libtorch's intra-op thread pool before the engine loads: one core fewer than the machine
 * has (at least one), unless {@code ai.djl.pytorch.num_threads} is set. The trainer shares its
 * machine with the Kafka fetcher, Flink's task threads and often a broker; libtorch's OpenMP workers
 * spin between operations and took the CPU they need: on 2 cores the job trained 15,000 examples/s
 * with 2 threads and 21,000 with 1 (bench/trainer.sh).
 */
public final class EngineThreads {
    public static final String PROPERTY = "ai.djl.pytorch.num_threads";

    private EngineThreads() {}

    /** Sets the default when nobody chose; has no effect once the engine is loaded. */
    public static void configureDefault() {
        configureDefault(1);
    }

    /**
     * Sets the default for {@code trainers} trainer subtasks sharing this JVM (data-parallel subtasks in one task
     * manager), which split the cores instead of each oversubscribing them; has no effect once the engine is loaded.
     */
    public static void configureDefault(int trainers) {
        if (System.getProperty(PROPERTY) == null) {
            System.setProperty(PROPERTY, Integer.toString(defaultThreads(Runtime.getRuntime().availableProcessors(),
                    trainers)));
        }
    }

    static int defaultThreads(int cores) {
        return defaultThreads(cores, 1);
    }

    static int defaultThreads(int cores, int trainers) {
        return Math.max(1, (cores - 1) / Math.max(1, trainers));
    }
}
