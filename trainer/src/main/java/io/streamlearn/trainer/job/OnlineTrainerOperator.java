package io.streamlearn.trainer.job;

import io.streamlearn.core.example.Example;
import io.streamlearn.core.model.ModelSpec;
import io.streamlearn.core.snapshot.ManifestSignature;
import io.streamlearn.core.snapshot.SnapshotDraft;
import io.streamlearn.core.snapshot.SnapshotStore;
import io.streamlearn.trainer.learn.BatchOutcome;
import io.streamlearn.trainer.learn.Champion;
import io.streamlearn.trainer.learn.DeviceSelector;
import io.streamlearn.trainer.learn.DriftWatch;
import io.streamlearn.trainer.learn.EngineThreads;
import io.streamlearn.trainer.learn.LearningMetrics;
import io.streamlearn.trainer.learn.OnlineLearner;
import io.streamlearn.trainer.learn.StepPipeline;
import io.streamlearn.trainer.snapshot.QualityGate;
import io.streamlearn.trainer.snapshot.SnapshotPublisher;
import io.streamlearn.trainer.state.Contribution;
import io.streamlearn.trainer.state.MetricsMerge;
import io.streamlearn.trainer.state.ModelMerge;
import io.streamlearn.trainer.state.TrainerState;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The online trainer operator, kept thin: it buffers examples into mini-batches (flushed when full
 * or after the max wait), hands them to {@link OnlineLearner}, checkpoints everything in
 * {@link TrainerState}, and publishes the state of each completed checkpoint as a snapshot when the
 * {@link QualityGate} lets it. At parallelism N each subtask trains on its own partitions and, at every
 * checkpoint, contributes its model to one merge ({@link DataParallel}, {@link ModelMerge}) that every subtask
 * continues from and subtask 0 publishes. An operator rather than a keyed function: it needs processing-time timers
 * without a key, so it chains to the decoder and examples pass by reference instead of being serialized across a
 * shuffle.
 */
public class OnlineTrainerOperator extends AbstractStreamOperator<Void>
        implements OneInputStreamOperator<Example, Void>, ProcessingTimeService.ProcessingTimeCallback {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(OnlineTrainerOperator.class);

    private final TrainerConfig config;
    /** Where to start without restored state; null: chosen from the store when the operator opens. */
    private final StartingPoint start;

    private transient ModelSpec spec;
    private transient OnlineLearner learner;
    private transient SnapshotPublisher publisher;
    private transient List<Example> buffer;
    private transient StepPipeline steps;
    private transient LearningMetrics metrics;
    private transient long parentVersion;
    /** The lineage every snapshot of this trainer is published under; travels in the TrainerState. */
    private transient String lineageId;
    /** When the pending flush timer fires, 0 when none is pending; one timer at a time, not one per batch. */
    private transient long timerAt;
    /** When the first example of the buffered batch arrived (processing time). */
    private transient long batchStartedAt;
    /** Checkpoints before data-parallel training: restored (parallelism 1 only), never written. */
    private transient ListState<byte[]> checkpointed;
    /** Every subtask's {@link Contribution}; union state, so that a restore hands each subtask all of them. */
    private transient ListState<byte[]> contributions;
    private transient ModelMerge restoredMerge;
    private transient DataParallel parallel;
    private transient SnapshotStore store;
    /** Per partition of the examples topic, the offset after the last example that reached this operator. */
    private transient SourceOffsets nextOffsets;
    private transient ListState<long[]> checkpointedOffsets;
    private transient TrainerState restored;
    /** Subtask 0's drafts waiting for their checkpoint; null on the other subtasks, which never publish. */
    private transient CheckpointDrafts drafts;
    /** Subtask 0's publisher thread; on the other subtasks one that never starts (they have no drafts). */
    private transient PublisherThread publishing;
    private transient long lastDraftExamples;
    private transient StepMetrics stepMetrics;
    private transient DriftWatch drift;
    private transient DriftResponse driftResponse;

    /** A trainer that chooses its {@link StartingPoint} from the store when it opens without Flink state. */
    public OnlineTrainerOperator(TrainerConfig config) {
        this(config, null);
    }

    /** A trainer that starts from {@code start} when no Flink state is restored (the source follows the same). */
    public OnlineTrainerOperator(TrainerConfig config, StartingPoint start) {
        this.config = config;
        this.start = start;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        checkpointed = context.getOperatorStateStore().getListState(
                new ListStateDescriptor<>("trainer-state", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        // Apart from TrainerState so that checkpoints written before offsets were recorded still restore.
        checkpointedOffsets = context.getOperatorStateStore().getListState(
                new ListStateDescriptor<>("source-offsets", PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO));
        contributions = context.getOperatorStateStore().getUnionListState(
                new ListStateDescriptor<>("merge-contributions", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        buffer = new ArrayList<>();
        nextOffsets = new SourceOffsets();
        // Nothing is published before the first example is trained on: an untrained or merely
        // warm-started model is not a new version.
        lastDraftExamples = 0;
        if (context.isRestored()) {
            List<Contribution> all = new ArrayList<>();
            for (byte[] blob : contributions.get()) {
                all.add(Contribution.decode(blob));
            }
            if (!all.isEmpty()) {
                // The same merge the checkpoint's subtasks computed, whatever the parallelism now.
                restoredMerge = ModelMerge.of(all);
            }
            for (byte[] blob : checkpointed.get()) {
                restored = TrainerState.decode(blob);
            }
            for (long[] pairs : checkpointedOffsets.get()) {
                nextOffsets.includePairs(pairs);
            }
            checkpointed.clear();
            checkpointedOffsets.clear();
        }
    }

    @Override
    public void open() throws Exception {
        super.open();
        // DJL finds its engine through the context class loader; on a cluster that is Flink's user loader.
        Thread.currentThread().setContextClassLoader(getClass().getClassLoader());
        // libtorch's threads are per JVM: the trainer subtasks of this task manager share its cores.
        EngineThreads.configureDefault(Math.min(getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks(),
                getContainingTask().getEnvironment().getTaskManagerInfo().getConfiguration()
                        .get(org.apache.flink.configuration.TaskManagerOptions.NUM_TASK_SLOTS)));
        spec = config.spec();
        // The key is read where the operator runs: on a cluster the file must be on every task manager.
        store = new SnapshotStore(Path.of(config.storeRoot()), Clock.systemUTC(),
                config.signingKeyFile() == null ? null : ManifestSignature.privateKey(Path.of(config.signingKeyFile())));
        byte[] params = null;
        byte[] optimizerState = null;
        int subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        int subtasks = getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks();
        if (restoredMerge != null) {
            restored = restoredMerge.stateFor(subtask, subtasks);
        } else if (restored != null && subtasks > 1) {
            throw new IllegalStateException("trainer " + spec.name() + ": this checkpoint was taken before data-parallel "
                    + "training and restores at --parallelism 1 only; to scale out, start the new job without it (it "
                    + "resumes the latest published snapshot)");
        }
        StartingPoint from = restored != null ? null : start != null ? start : StartingPoint.choose(config);
        if (from != null && from.kind() == StartingPoint.Kind.RESUME) {
            restored = from.resumedState(store, spec.name());
            nextOffsets.includeAll(from.sourceOffsets());
        }
        if (restored != null) {
            params = restored.params();
            optimizerState = restored.optimizerState();
            metrics = restored.metrics();
            if (from == null || subtask == 0) {
                // A snapshot's buffered examples are all subtasks' (its offsets are past them): one subtask trains them.
                buffer.addAll(restored.buffered());
            }
            parentVersion = restored.parentVersion();
            lineageId = restored.lineageId();
            lastDraftExamples = metrics.examples;
            if (from != null) {
                // The resumed version is the champion, as right after it was published.
                metrics.crownChallenger();
            }
            LOG.info("trainer {} {}: {} examples trained, {} buffered, parent version {}", spec.name(),
                    from == null ? "restored its checkpoint" : "resumed published version " + from.version(),
                    metrics.examples, buffer.size(), parentVersion);
            drift = DriftWatch.of(config.driftDetector(), restored.driftState());
            restored = null;
        } else {
            drift = DriftWatch.of(config.driftDetector(), null);
            metrics = new LearningMetrics(spec.classes());
            if (from.kind() == StartingPoint.Kind.WARM_START) {
                LOG.info("trainer {} warm-starts from version {}", spec.name(), from.version());
                params = from.warmStartParameters(store, spec.name());
                parentVersion = from.version();
            } else {
                parentVersion = store.latestVersion(spec.name());
            }
            lineageId = from.lineageId();
        }
        if (lineageId == null) {
            // Restored from a checkpoint or snapshot written before lineages: serving knows none for it either.
            lineageId = StartingPoint.newLineage();
            LOG.info("trainer {}: its state has no lineage id (written by an older release); publishing under the "
                    + "new lineage {}", spec.name(), lineageId);
        }
        learner = new OnlineLearner(spec, DeviceSelector.select(config.device(), subtask,
                ai.djl.engine.Engine.getInstance().getGpuCount(), AssignedGpu.of(getRuntimeContext())), config.holdoutFraction(),
                spec.batchSize(), params, optimizerState);
        learner.setChampion(StartingPoint.parameters(store, spec.name(), parentVersion));
        var mailbox = getContainingTask().getMailboxExecutorFactory().createExecutor(getOperatorConfig().getChainIndex());
        steps = new StepPipeline("trainer-step " + spec.name() + " " + subtask, getClass().getClassLoader(),
                r -> mailbox.execute(r::run, "record a finished training step"), this::record);
        publisher = new SnapshotPublisher(store, config.bootstrapServers(), config.topics().models(),
                config.topics().events(), config.kafkaOverrides());
        MetricGroup group = getMetricGroup().addGroup("streamlearn");
        stepMetrics = new StepMetrics(group, spec.name(), spec.batchSize(), () -> metrics, () -> parentVersion,
                () -> learner.currentLearningRate());
        driftResponse = new DriftResponse(config, publisher, group.counter("drift_detected"), subtask == 0);
        drafts = subtask != 0 ? null : new CheckpointDrafts(spec.name(), publisher,
                new QualityGate(config.gateMargin(), config.gateMinHoldout()), group);
        publishing = new PublisherThread("trainer-publish " + spec.name(), getClass().getClassLoader(),
                r -> mailbox.execute(r::run, "apply a finished publish"), drafts,
                p -> Champion.load(spec, learner.device(), p), this::published);
        parallel = DataParallel.open(subtask, subtasks, config, spec.name(),
                getRuntimeContext().getJobInfo().getJobId().toString(), metrics, Clock.systemUTC().millis());
        if (restoredMerge != null) {
            applyMerge(restoredMerge);
            restoredMerge = null;
        }
        if (!buffer.isEmpty()) {
            // Restored examples wait for their batch like any other; non-keyed timers are not checkpointed.
            batchStartedAt = getProcessingTimeService().getCurrentProcessingTime();
            scheduleFlush();
        }
        LOG.info("trainer for {} on {} ({}), batch {}, holdout {}", spec.name(), learner.device(),
                learner.engineDescription(), spec.batchSize(), config.holdoutFraction());
    }

    @Override
    public void processElement(StreamRecord<Example> record) {
        Example e = record.getValue();
        if (e.position() != null) {
            nextOffsets.advance(e.position().partition(), e.position().offset());
        }
        if (buffer.isEmpty()) {
            batchStartedAt = getProcessingTimeService().getCurrentProcessingTime();
        }
        buffer.add(e);
        if (buffer.size() >= spec.batchSize()) {
            trainBuffered();
        } else if (timerAt == 0) {
            scheduleFlush();
        }
    }

    private void scheduleFlush() {
        timerAt = batchStartedAt + config.maxWaitMs();
        getProcessingTimeService().registerTimer(timerAt, this);
    }

    /**
     * The timer is due: train the buffered batch if it waited the max wait; a batch that started later (full batches
     * went in between) gets the timer moved to its own due time. Full batches register no timer: at hundreds of
     * batches a second, a timer each was a wake-up of the task thread each.
     */
    @Override
    public void onProcessingTime(long time) {
        if (time != timerAt) {
            return;
        }
        timerAt = 0;
        if (buffer.isEmpty()) {
            return;
        }
        if (time >= batchStartedAt + config.maxWaitMs()) {
            trainBuffered();
        } else {
            scheduleFlush();
        }
    }

    /** Queues the step of the buffered examples on the training thread, behind at most one step in flight. */
    private void trainBuffered() {
        buffer = steps.submit(learner, buffer);
    }

    /** Records a finished step on the task thread, in step order: metrics, counters, the drift reaction. */
    private void record(StepPipeline.Done done) {
        BatchOutcome o = done.outcome();
        metrics.record(o);
        if (parallel.parallel()) {
            // One detector watches the pooled errors of all subtasks, fed at the merge.
            parallel.recordErrors(o, metrics.prequentialErrors.targetStd());
        } else if (drift != null) {
            react(drift.update(o, metrics.prequentialErrors.targetStd()));
        }
        stepMetrics.finished(done, metrics);
    }

    private void react(double estimate) {
        if (!Double.isNaN(estimate)) {
            // The reaction changes the learner: the step queued behind this one finishes first (it trained without it).
            steps.await();
        }
        driftResponse.react(estimate, drift, learner, metrics.examples, parentVersion);
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        // The state is the one after the last completed checkpoint's publish (parent version, champion, metrics).
        publishing.await();
        // The state includes the step in flight: its examples are past the offsets this checkpoint stores.
        steps.await();
        long checkpointId = context.getCheckpointId();
        byte[] optimizerState = learner.saveOptimizerState();
        List<Example> buffered = new ArrayList<>(buffer);
        // The parameters travel in the contribution as values; the snapshot carries them as a DJL file already.
        TrainerState local = new TrainerState(new byte[0], optimizerState, metrics, buffered, parentVersion,
                drift == null ? new byte[0] : drift.state(), lineageId);
        Contribution mine = parallel.contribution(checkpointId, learner, metrics, local, nextOffsets.toPairs());
        byte[] encoded = mine.encode();
        contributions.update(List.of(encoded));
        List<Example> resumeBuffer = buffered;
        if (parallel.parallel()) {
            // Right after the barrier, from what checkpoint c stores: a restore from c computes the same merge.
            ModelMerge merged = parallel.merge(mine, encoded);
            applyMerge(merged);
            resumeBuffer = merged.allBuffered();
        } else {
            parallel.rebase(metrics);
        }
        if (drafts != null && metrics.examples > lastDraftExamples) {
            lastDraftExamples = metrics.examples;
            drafts.add(checkpointId, new SnapshotDraft(spec, learner.saveParameters(), metrics.examples,
                    metrics.steps, checkpointId, parentVersion, learner.engineDescription(),
                    learner.device().toString(), metrics.toManifestMetrics(),
                    CheckpointDrafts.source(config, metrics, parallel.subtasks()), nextOffsets.toMap(),
                    // The snapshot carries what a restart without Flink state resumes (StartingPoint).
                    new TreeMap<>(Map.of(StartingPoint.STATE_FILE, stateFile(resumeBuffer,
                            parallel.parallel() ? learner.saveOptimizerState() : optimizerState))), lineageId),
                    learner.parametersFinite());
        }
    }

    /**
     * The trainer state a restart without Flink state resumes from, encoded only for a checkpoint that drafts a
     * snapshot (subtask 0, new examples): the merged model's when subtasks merged. Alone, the optimizer state is the
     * one the checkpoint already exported (exporting it is a copy of every moment).
     */
    private byte[] stateFile(List<Example> resumeBuffer, byte[] optimizerState) {
        return new TrainerState(new byte[0], optimizerState, metrics, resumeBuffer, parentVersion,
                drift == null ? new byte[0] : drift.state(), lineageId).encode();
    }

    /**
     * Continues from a merged model: its parameters, optimizer state, metrics and offsets; the one drift detector
     * fed the pooled errors and its reaction applied here, as on every subtask. The champion follows a publish.
     */
    private void applyMerge(ModelMerge m) {
        learner.loadParameterValues(m.params());
        learner.loadOptimizerState(m.optimizerState());
        metrics = MetricsMerge.copy(m.metrics());
        if (m.published()) {
            metrics.crownChallenger();
        }
        if (m.parentVersion() != parentVersion) {
            learner.setChampion(StartingPoint.parameters(store, spec.name(), m.parentVersion()));
            parentVersion = m.parentVersion();
        }
        nextOffsets.includePairs(m.offsets());
        if (drift != null) {
            drift = DriftWatch.of(config.driftDetector(), m.driftState());
            react(drift.update(m.errors()));
        }
        parallel.rebase(metrics);
        MergeProbe.afterMerge.after(parallel.subtask(), m.contributions().get(0).checkpointId(), m.contributions(),
                learner::parameterValues);
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) throws Exception {
        super.notifyCheckpointComplete(checkpointId);
        parallel.forgetUpTo(checkpointId);
        publishing.complete(checkpointId);
    }

    /** Applies a finished publish on the task thread, in checkpoint order; the champion changes between steps. */
    private void published(PublisherThread.Applied a) {
        CheckpointDrafts.Outcome o = a.outcome();
        if (o.result() == CheckpointDrafts.Result.FAILED) {
            lastDraftExamples = -1;
        } else if (o.result() == CheckpointDrafts.Result.PUBLISHED) {
            steps.await(a.champion());
            parentVersion = o.manifest().version();
            learner.setChampion(a.champion());
            metrics.crownChallenger();
        }
    }

    /** What a checkpoint taken now would hold; tests compare instances with it. */
    TrainerState currentState() {
        publishing.await();
        steps.await();
        return new TrainerState(learner.saveParameters(), learner.saveOptimizerState(), metrics,
                new ArrayList<>(buffer), parentVersion, drift == null ? new byte[0] : drift.state(), lineageId);
    }

    @Override
    public void close() throws Exception {
        super.close();
        // Closed in reverse order: a completed checkpoint's publish finishes (nothing is published after close), then
        // the step in flight (its exception fails the task), then the producer and the learner they used.
        try (var l = learner; var p = publisher; var s = steps; var w = publishing) {
            LOG.debug("closing the trainer of {}", spec == null ? "no model" : spec.name());
        }
    }
}
