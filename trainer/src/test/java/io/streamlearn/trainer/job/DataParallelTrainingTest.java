package io.streamlearn.trainer.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.djl.Device;
import io.streamlearn.core.example.Example;
import io.streamlearn.core.kafka.Topics;
import io.streamlearn.core.model.ModelSpec;
import io.streamlearn.core.model.OptimizerSpec;
import io.streamlearn.core.snapshot.SnapshotManifest;
import io.streamlearn.core.snapshot.SnapshotStore;
import io.streamlearn.core.testkit.ExampleRecords;
import io.streamlearn.core.testkit.KafkaBrokerExtension;
import io.streamlearn.trainer.learn.OnlineLearner;
import io.streamlearn.trainer.learn.OnlineLearnerTest;
import io.streamlearn.trainer.state.Contribution;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Data-parallel training on a Flink MiniCluster against the real embedded broker (4 partitions): N trainer subtasks
 * merge into one model at every checkpoint, exactly once, at any parallelism. Correctness only: in one JVM the
 * subtasks' steps take turns.
 */
class DataParallelTrainingTest {
    private static final ModelSpec SPEC = ModelSpec.mlp("blobs", 4, 3, 16).withOptimizer(OptimizerSpec.adam(0.01f));

    @RegisterExtension
    static final KafkaBrokerExtension kafka = KafkaBrokerExtension.perClass().withPartitions(4);

    @TempDir
    Path store;

    @TempDir
    Path savepoints;

    /** Every merge any subtask loaded: what it loaded, and whether that equals the test's own weighted average. */
    private final Queue<String> mismatches = new ConcurrentLinkedQueue<>();
    private final Map<Long, Map<Integer, List<Float>>> loaded = new ConcurrentHashMap<>();
    private final Map<Long, Long> weights = new ConcurrentHashMap<>();

    @AfterEach
    void resetProbe() {
        MergeProbe.reset();
    }

    private TrainerConfig.Builder config(Topics topics, int parallelism) {
        return TrainerConfig.builder().setBootstrapServers(kafka.bootstrapServers()).setSpec(SPEC)
                .setStoreRoot(store.toString()).optTopicPrefix(topics.prefix()).optCheckpointIntervalMs(300)
                .optMaxWaitMs(50).optParallelism(parallelism);
    }

    private static long seen(SnapshotManifest m) {
        return m.examplesSeen() + (long) m.metric("holdout_examples");
    }

    private static void awaitPublished(Topics topics, SnapshotStore snapshots, Predicate<SnapshotManifest> done) {
        await().atMost(Duration.ofSeconds(180)).until(() -> snapshots.latest("blobs").map(done::test).orElse(false));
        long version = snapshots.latestVersion("blobs");
        kafka.reader(topics.models()).awaitUntil(records -> records.stream()
                .anyMatch(r -> SnapshotManifest.fromJson(r.value()).version() == version));
    }

    private static List<SnapshotManifest> history(SnapshotStore snapshots) {
        return snapshots.versions("blobs").stream().map(v -> snapshots.manifest("blobs", v)).toList();
    }

    /** Checks every merge against the weighted average this test computes itself from the contributions. */
    private void watchMerges() {
        MergeProbe.afterMerge = (subtask, checkpointId, contributions, now) -> {
            float[][] mine = now.get();
            float[][] expected = weightedAverage(contributions);
            for (int p = 0; p < expected.length; p++) {
                if (!Arrays.equals(mine[p], expected[p])) {
                    mismatches.add("subtask " + subtask + ", checkpoint " + checkpointId + ", parameter " + p);
                }
            }
            loaded.computeIfAbsent(checkpointId, c -> new ConcurrentHashMap<>()).put(subtask, flat(mine));
            weights.put(checkpointId, contributions.stream().mapToLong(Contribution::weight).sum());
        };
    }

    /** Federated averaging written out plainly: sum of weight times value over subtasks in order, over the weights. */
    private static float[][] weightedAverage(List<Contribution> contributions) {
        long total = contributions.stream().mapToLong(Contribution::weight).sum();
        float[][] first = contributions.get(0).params();
        float[][] out = new float[first.length][];
        for (int p = 0; p < first.length; p++) {
            out[p] = new float[first[p].length];
            for (int k = 0; k < out[p].length; k++) {
                double sum = 0;
                for (Contribution c : contributions) {
                    sum += c.weight() * (double) c.params()[p][k];
                }
                out[p][k] = total == 0 ? first[p][k] : (float) (sum / total);
            }
        }
        return out;
    }

    private static List<Float> flat(float[][] params) {
        List<Float> out = new ArrayList<>();
        for (float[] p : params) {
            for (float f : p) {
                out.add(f);
            }
        }
        return out;
    }

    /** The merges of {@code parallelism} subtasks: each equal to the test's average, the same on every subtask. */
    private void assertEveryMergeIsTheWeightedAverageOnEverySubtask(int parallelism) {
        assertThat(mismatches).as("merged parameters that differ from the test's own weighted average").isEmpty();
        assertThat(weights.values()).as("merges that averaged trained models").anyMatch(w -> w > 0);
        loaded.forEach((checkpoint, bySubtask) -> {
            assertThat(bySubtask).as("subtasks that loaded the merge of checkpoint " + checkpoint)
                    .hasSize(parallelism);
            assertThat(bySubtask.values().stream().distinct()).as("byte-identical on every subtask").hasSize(1);
        });
    }

    private static float[][] parametersOf(SnapshotStore snapshots, SnapshotManifest m) throws Exception {
        byte[] file = Files.readAllBytes(snapshots.directory("blobs", m.version()).resolve(m.paramsFile()));
        try (OnlineLearner learner = new OnlineLearner(SPEC, Device.cpu(), 0.1, SPEC.batchSize(), file)) {
            return learner.parameterValues();
        }
    }

    /** Produces {@code stream}, runs the job at {@code parallelism} until its newest version covers every example. */
    private SnapshotManifest trainOnAll(Topics topics, int parallelism, List<Example> stream,
            UnaryOperator<DataStream<Example>> beforeTrainer) throws Exception {
        return trainOnAll(topics, parallelism, stream, stream.size(), beforeTrainer);
    }

    /**
     * As above, producing the first {@code beforeFirstVersion} examples, then the rest once a version covers those
     * (a checkpoint has completed): what comes after a checkpoint never depends on how fast the job is.
     */
    private SnapshotManifest trainOnAll(Topics topics, int parallelism, List<Example> stream, int beforeFirstVersion,
            UnaryOperator<DataStream<Example>> beforeTrainer) throws Exception {
        ExampleRecords.send(kafka.bootstrapServers(),
                ExampleRecords.binary(topics.examples(), stream.subList(0, beforeFirstVersion)));
        SnapshotStore snapshots = new SnapshotStore(store);
        JobClient job = TrainerJob.runLocal(config(topics, parallelism).build(), new Configuration(), beforeTrainer);
        try {
            if (beforeFirstVersion < stream.size()) {
                awaitPublished(topics, snapshots, m -> seen(m) >= beforeFirstVersion);
                ExampleRecords.send(kafka.bootstrapServers(),
                        ExampleRecords.binary(topics.examples(), stream.subList(beforeFirstVersion, stream.size())));
            }
            awaitPublished(topics, snapshots, m -> seen(m) >= stream.size());
        } finally {
            job.cancel().get();
        }
        SnapshotManifest last = snapshots.latest("blobs").orElseThrow();
        assertThat(seen(last)).as("examples trained + held out = examples produced").isEqualTo(stream.size());
        assertThat(last.source()).containsEntry("subtasks", Integer.toString(parallelism));
        return last;
    }

    @Test
    void twoSubtasksLearnTheSeparableStreamAndEveryMergeIsTheWeightedAverageOnBoth() throws Exception {
        List<Example> stream = OnlineLearnerTest.blobs(6000, 31, "p");
        watchMerges();
        SnapshotManifest last = trainOnAll(kafka.topics(), 2, stream, UnaryOperator.identity());
        assertThat(last.metric("holdout_accuracy")).isGreaterThanOrEqualTo(0.95);
        assertThat(last.sourceOffsets().values().stream().mapToLong(Long::longValue).sum())
                .as("the merged offsets cover every partition").isEqualTo(stream.size());
        assertEveryMergeIsTheWeightedAverageOnEverySubtask(2);
    }

    @Test
    void fourSubtasksLearnTheSeparableStreamAndASlowSubtaskOnlyDelaysTheMerge() throws Exception {
        // Four models averaged at every checkpoint: under a loaded CI machine few merges fall in a short stream, and
        // the fading holdout accuracy still remembers the first, unmerged part (0.918 once at 4,000 examples).
        List<Example> stream = OnlineLearnerTest.blobs(8000, 32, "q");
        watchMerges();
        AtomicBoolean slowed = new AtomicBoolean();
        // Subtask 3 holds back its first contribution until subtask 0 has offered its own and is waiting for it.
        MergeProbe.beforeContribute = (subtask, checkpointId) -> {
            if (subtask == 3 && slowed.compareAndSet(false, true)) {
                Path waiting = new MergeExchange(store, "blobs", "any", 1).directory(checkpointId).getParent()
                        .getParent();
                await().atMost(Duration.ofSeconds(60)).until(() -> containsContribution(waiting, checkpointId, 0));
            }
        };
        SnapshotManifest last = trainOnAll(kafka.topics(), 4, stream, UnaryOperator.identity());
        assertThat(slowed).as("a subtask was slowed").isTrue();
        assertThat(last.metric("holdout_accuracy")).isGreaterThanOrEqualTo(0.95);
        assertEveryMergeIsTheWeightedAverageOnEverySubtask(4);
    }

    /** Whether any job's merge directory of {@code checkpointId} holds subtask {@code subtask}'s file. */
    private static boolean containsContribution(Path merges, long checkpointId, int subtask) throws Exception {
        if (!Files.isDirectory(merges)) {
            return false;
        }
        try (var jobs = Files.list(merges)) {
            return jobs.anyMatch(j -> Files.exists(j.resolve(Long.toString(checkpointId)).resolve(
                    Integer.toString(subtask))));
        }
    }

    /** Fails its subtask once, at the first example after the first completed checkpoint; records restores. */
    static final class FailAfterFirstCheckpoint implements MapFunction<Example, Example>, CheckpointedFunction,
            CheckpointListener {
        private static final long serialVersionUID = 1L;
        static final AtomicBoolean FAILED = new AtomicBoolean();
        static final AtomicBoolean RESTORED = new AtomicBoolean();
        private transient boolean completed;

        @Override
        public Example map(Example e) {
            if (completed && FAILED.compareAndSet(false, true)) {
                throw new IllegalStateException("injected failure after the first completed checkpoint");
            }
            return e;
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            completed = true;
        }

        @Override
        public void snapshotState(FunctionSnapshotContext context) {}

        @Override
        public void initializeState(FunctionInitializationContext context) {
            if (context.isRestored()) {
                RESTORED.set(true);
            }
        }
    }

    @Test
    void aFailureAfterACheckpointIsRestoredWithoutLosingOrRepeatingExamples() throws Exception {
        List<Example> stream = OnlineLearnerTest.blobs(6000, 33, "r");
        FailAfterFirstCheckpoint.FAILED.set(false);
        FailAfterFirstCheckpoint.RESTORED.set(false);
        watchMerges();
        // The second half comes after a version covers the first: the failure always falls after a checkpoint.
        trainOnAll(kafka.topics(), 2, stream, 3000,
                s -> s.map(new FailAfterFirstCheckpoint()).uid("fail-after-checkpoint").setParallelism(2));
        assertThat(FailAfterFirstCheckpoint.FAILED).as("the failure was injected").isTrue();
        assertThat(FailAfterFirstCheckpoint.RESTORED).as("the job restored a checkpoint").isTrue();
        List<SnapshotManifest> history = history(new SnapshotStore(store));
        assertThat(history).extracting(SnapshotManifest::version).isSorted().doesNotHaveDuplicates();
        assertThat(history).extracting(DataParallelTrainingTest::seen).isSorted();
        assertEveryMergeIsTheWeightedAverageOnEverySubtask(2);
    }

    @Test
    void aSavepointAtTwoRestoresAtOneAndAtFourFromTheLastPublishedModel() throws Exception {
        Topics topics = kafka.topics();
        List<Example> first = OnlineLearnerTest.blobs(3000, 34, "s");
        ExampleRecords.send(kafka.bootstrapServers(), ExampleRecords.binary(topics.examples(), first));
        SnapshotStore snapshots = new SnapshotStore(store);
        TrainerConfig config = config(topics, 2).build();
        JobClient job = TrainerJob.runLocal(config, new Configuration());
        String savepoint;
        try {
            awaitPublished(topics, snapshots, m -> seen(m) == first.size());
        } finally {
            savepoint = job.stopWithSavepoint(false, savepoints.toUri().toString(), SavepointFormatType.CANONICAL)
                    .get();
        }
        SnapshotManifest atSavepoint = snapshots.latest("blobs").orElseThrow();
        float[][] published = parametersOf(snapshots, atSavepoint);

        List<Example> second = OnlineLearnerTest.blobs(1000, 35, "t");
        ExampleRecords.send(kafka.bootstrapServers(), ExampleRecords.binary(topics.examples(), second));
        for (int parallelism : new int[] {1, 4}) {
            Map<Integer, float[][]> restoredWith = new ConcurrentHashMap<>();
            MergeProbe.afterMerge = (subtask, checkpointId, contributions, now) -> restoredWith.putIfAbsent(subtask,
                    now.get());
            Configuration restore = new Configuration();
            restore.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
            JobClient resumed = TrainerJob.runLocal(config(topics, parallelism).build(), restore);
            try {
                awaitPublished(topics, snapshots, m -> m.version() > atSavepoint.version()
                        && m.source().get("subtasks").equals(Integer.toString(parallelism))
                        && seen(m) == first.size() + second.size());
            } finally {
                resumed.cancel().get();
            }
            assertThat(restoredWith).as("subtasks that restored the merged model at parallelism " + parallelism)
                    .hasSize(parallelism);
            restoredWith.values().forEach(p -> assertThat(p).as("first parameters = the last published version's")
                    .isDeepEqualTo(published));
        }
        assertThat(history(snapshots)).extracting(SnapshotManifest::version).isSorted().doesNotHaveDuplicates();
    }

    @Test
    void moreSubtasksThanPartitionsTrainOnEverythingWithoutHanging() throws Exception {
        watchMerges();
        trainOnAll(kafka.topics(1), 2, OnlineLearnerTest.blobs(2000, 36, "u"), UnaryOperator.identity());
        assertEveryMergeIsTheWeightedAverageOnEverySubtask(2);
    }
}
