package io.streamlearn.trainer.job;

import io.streamlearn.core.event.DriftEvent;
import io.streamlearn.core.event.PlatformEvent;
import io.streamlearn.core.event.SnapshotPublishFailedEvent;
import io.streamlearn.core.event.SnapshotRefusedEvent;
import io.streamlearn.core.example.Example;
import io.streamlearn.core.model.ModelSpec;
import io.streamlearn.core.snapshot.ManifestMetrics;
import io.streamlearn.core.snapshot.ManifestSignature;
import io.streamlearn.core.snapshot.SnapshotDraft;
import io.streamlearn.core.snapshot.SnapshotManifest;
import io.streamlearn.core.snapshot.SnapshotStore;
import io.streamlearn.trainer.learn.BatchOutcome;
import io.streamlearn.trainer.learn.DeviceSelector;
import io.streamlearn.trainer.learn.DriftWatch;
import io.streamlearn.trainer.learn.EngineThreads;
import io.streamlearn.trainer.learn.LearningMetrics;
import io.streamlearn.trainer.learn.OnlineLearner;
import io.streamlearn.trainer.snapshot.QualityGate;
import io.streamlearn.trainer.snapshot.SnapshotPublisher;
import io.streamlearn.trainer.state.TrainerState;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
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
 * {@link QualityGate} lets it. Runs at parallelism 1. An operator rather than a keyed function: it
 * needs processing-time timers without a key, so it chains to the decoder and examples pass by
 * reference instead of being serialized across a shuffle.
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
    private transient QualityGate gate;
    private transient List<Example> buffer;
    private transient LearningMetrics metrics;
    private transient long parentVersion;
    /** The lineage every snapshot of this trainer is published under; travels in the TrainerState. */
    private transient String lineageId;
    private transient long timerAt;
    private transient ListState<byte[]> checkpointed;
    /** Per partition of the examples topic, the offset after the last example that reached this operator. */
    private transient SourceOffsets nextOffsets;
    private transient ListState<long[]> checkpointedOffsets;
    private transient TrainerState restored;
    private transient TreeMap<Long, Pending> pending;
    private transient long lastDraftExamples;
    private transient Counter examplesCounter;
    private transient Counter stepsCounter;
    private transient Counter refusedCounter;
    private transient Counter publishFailedCounter;
    private transient Histogram stepMillis;
    private transient DriftWatch drift;
    private transient Counter driftCounter;
    private transient int lastBatchSize;

    /** A trainer that chooses its {@link StartingPoint} from the store when it opens without Flink state. */
    public OnlineTrainerOperator(TrainerConfig config) {
        this(config, null);
    }

    /** A trainer that starts from {@code start} when no Flink state is restored (the source follows the same). */
    public OnlineTrainerOperator(TrainerConfig config, StartingPoint start) {
        this.config = config;
        this.start = start;
    }

    /** A checkpoint's state waiting for that checkpoint to complete. */
    private record Pending(SnapshotDraft draft, boolean parametersFinite) {}

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        checkpointed = context.getOperatorStateStore().getListState(
                new ListStateDescriptor<>("trainer-state", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        // Apart from TrainerState so that checkpoints written before offsets were recorded still restore.
        checkpointedOffsets = context.getOperatorStateStore().getListState(
                new ListStateDescriptor<>("source-offsets", PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO));
        buffer = new ArrayList<>();
        pending = new TreeMap<>();
        nextOffsets = new SourceOffsets();
        // Nothing is published before the first example is trained on: an untrained or merely
        // warm-started model is not a new version.
        lastDraftExamples = 0;
        if (context.isRestored()) {
            for (byte[] blob : checkpointed.get()) {
                restored = TrainerState.decode(blob);
            }
            for (long[] pairs : checkpointedOffsets.get()) {
                nextOffsets.includePairs(pairs);
            }
        }
    }

    @Override
    public void open() throws Exception {
        super.open();
        // DJL finds its engine through the context class loader; on a cluster that is Flink's user loader.
        Thread.currentThread().setContextClassLoader(getClass().getClassLoader());
        EngineThreads.configureDefault();
        spec = config.spec();
        // The key is read where the operator runs: on a cluster the file must be on every task manager.
        SnapshotStore store = new SnapshotStore(Path.of(config.storeRoot()), Clock.systemUTC(),
                config.signingKeyFile() == null ? null : ManifestSignature.privateKey(Path.of(config.signingKeyFile())));
        byte[] params = null;
        byte[] optimizerState = null;
        StartingPoint from = restored != null ? null : start != null ? start : StartingPoint.choose(config);
        if (from != null && from.kind() == StartingPoint.Kind.RESUME) {
            restored = from.resumedState(store, spec.name());
            nextOffsets.includeAll(from.sourceOffsets());
        }
        if (restored != null) {
            params = restored.params();
            optimizerState = restored.optimizerState();
            metrics = restored.metrics();
            buffer.addAll(restored.buffered());
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
        int subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        learner = new OnlineLearner(spec, DeviceSelector.select(config.device(), subtask,
                ai.djl.engine.Engine.getInstance().getGpuCount(), AssignedGpu.of(getRuntimeContext())), config.holdoutFraction(),
                spec.batchSize(), params, optimizerState);
        learner.setChampion(StartingPoint.parameters(store, spec.name(), parentVersion));
        publisher = new SnapshotPublisher(store, config.bootstrapServers(), config.topics().models(),
                config.topics().events(), config.kafkaOverrides());
        gate = new QualityGate(config.gateMargin(), config.gateMinHoldout());
        registerMetrics(getMetricGroup().addGroup("streamlearn"));
        if (!buffer.isEmpty()) {
            // Restored examples wait for their batch like any other; non-keyed timers are not checkpointed.
            scheduleFlush();
        }
        LOG.info("trainer for {} on {} ({}), batch {}, holdout {}", spec.name(), learner.device(),
                learner.engineDescription(), spec.batchSize(), config.holdoutFraction());
    }

    private void registerMetrics(MetricGroup group) {
        examplesCounter = group.counter("examples_trained");
        stepsCounter = group.counter("steps");
        refusedCounter = group.counter("refused_snapshots");
        publishFailedCounter = group.counter("snapshot_publish_failures");
        driftCounter = group.counter("drift_detected");
        stepMillis = group.histogram("step_time_ms", new DescriptiveStatisticsHistogram(1000));
        group.gauge("prequential_accuracy", () -> metrics.prequentialAccuracy());
        group.gauge("holdout_accuracy", () -> metrics.holdoutAccuracy());
        group.gauge("macro_f1", () -> metrics.macroF1());
        group.gauge("loss", () -> metrics.fadingLoss);
        group.gauge("model_version", () -> parentVersion);
        group.gauge("skipped_steps", () -> metrics.skippedSteps);
        group.gauge("batch_fill", () -> (double) lastBatchSize / spec.batchSize());
        group.gauge("learning_rate", () -> learner.currentLearningRate());
        // Regression models: NaN for a classifier, as the accuracies are NaN for a regression model.
        group.gauge("prequential_mae", () -> metrics.prequentialErrors.mae());
        group.gauge("prequential_rmse", () -> metrics.prequentialErrors.rmse());
        group.gauge("prequential_r2", () -> metrics.prequentialErrors.r2());
        group.gauge("holdout_rmse", () -> metrics.holdoutErrors.rmse());
        group.gauge("holdout_r2", () -> metrics.holdoutErrors.r2());
    }

    @Override
    public void processElement(StreamRecord<Example> record) {
        Example e = record.getValue();
        if (e.position() != null) {
            nextOffsets.advance(e.position().partition(), e.position().offset());
        }
        buffer.add(e);
        if (buffer.size() >= spec.batchSize()) {
            trainBuffered();
        } else if (timerAt == 0) {
            scheduleFlush();
        }
    }

    private void scheduleFlush() {
        timerAt = getProcessingTimeService().getCurrentProcessingTime() + config.maxWaitMs();
        getProcessingTimeService().registerTimer(timerAt, this);
    }

    /** The max wait passed: train what is buffered, unless a full batch already took it. */
    @Override
    public void onProcessingTime(long time) {
        if (time != timerAt) {
            return;
        }
        timerAt = 0;
        if (!buffer.isEmpty()) {
            trainBuffered();
        }
    }

    private void trainBuffered() {
        long start = System.nanoTime();
        BatchOutcome o = learner.step(buffer);
        stepMillis.update((System.nanoTime() - start) / 1_000_000);
        lastBatchSize = buffer.size();
        metrics.record(o);
        watchForDrift(o);
        examplesCounter.inc(o.trained());
        if (o.stepped()) {
            stepsCounter.inc();
        }
        if (o.rolledBack()) {
            LOG.warn("trainer {}: loss not finite at step {}, step skipped and parameters returned to the last good "
                    + "state ({} skipped so far)", spec.name(), metrics.steps + 1, metrics.skippedSteps);
        }
        buffer.clear();
        // A pending flush timer now belongs to no batch; the next example schedules a fresh one.
        timerAt = 0;
    }

    /** Feeds the prequential error of the trained rows to the detector and reacts to a change. */
    private void watchForDrift(BatchOutcome o) {
        if (drift == null) {
            return;
        }
        double estimate = drift.update(o, metrics.prequentialErrors.targetStd());
        if (Double.isNaN(estimate)) {
            return;
        }
        driftCounter.inc();
        switch (config.driftReaction()) {
            case LR_BOOST -> learner.boostLearningRate(10f, 200);
            case RESET_OPTIMIZER -> learner.resetOptimizer();
            default -> { }
        }
        DriftEvent event = new DriftEvent(spec.name(), PlatformEvent.TRAINER, drift.name(), DriftEvent.PREQUENTIAL_ERROR,
                metrics.examples, parentVersion, estimate, Clock.systemUTC().millis());
        LOG.warn("trainer {}: {} detected drift in the prequential error after {} examples (error now {}); "
                + "reaction: {}", spec.name(), drift.name(), metrics.examples, estimate, config.driftReaction());
        publisher.sendEvent(event);
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        byte[] params = learner.saveParameters();
        byte[] optimizerState = learner.saveOptimizerState();
        byte[] driftState = drift == null ? new byte[0] : drift.state();
        List<Example> buffered = new ArrayList<>(buffer);
        checkpointed.update(List.of(new TrainerState(params, optimizerState, metrics, buffered, parentVersion,
                driftState, lineageId).encode()));
        checkpointedOffsets.update(List.of(nextOffsets.toPairs()));
        if (metrics.examples > lastDraftExamples) {
            lastDraftExamples = metrics.examples;
            Map<String, String> source = new LinkedHashMap<>();
            source.put("topic", config.topics().examples());
            source.put("examples_seen", Long.toString(metrics.examples + metrics.heldOut));
            source.put("group_id", config.groupId());
            // The snapshot carries what a restart without Flink state resumes (StartingPoint); the parameters
            // are its DJL file already, so they are not repeated in the state file.
            TreeMap<String, byte[]> files = new TreeMap<>(Map.of(StartingPoint.STATE_FILE, new TrainerState(
                    new byte[0], optimizerState, metrics, buffered, parentVersion, driftState, lineageId).encode()));
            pending.put(context.getCheckpointId(), new Pending(new SnapshotDraft(spec, params, metrics.examples,
                    metrics.steps, context.getCheckpointId(), parentVersion, learner.engineDescription(),
                    learner.device().toString(), metrics.toManifestMetrics(), source, nextOffsets.toMap(),
                    files, lineageId), learner.parametersFinite()));
        }
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) throws Exception {
        super.notifyCheckpointComplete(checkpointId);
        // Only the newest completed state is worth serving; older pending drafts are superseded.
        var done = pending.headMap(checkpointId, true);
        if (done.isEmpty()) {
            return;
        }
        Pending newest = done.lastEntry().getValue();
        done.clear();
        SnapshotDraft draft = newest.draft();
        String refusal = gate.refusal(newest.parametersFinite(), draft.metrics(),
                draft.metrics().getOrDefault(ManifestMetrics.CHAMPION_HOLDOUT_ACCURACY, Double.NaN));
        if (refusal != null) {
            refuse(draft, checkpointId, refusal);
            return;
        }
        SnapshotManifest m;
        try {
            m = publisher.publish(draft);
        } catch (RuntimeException e) {
            publishFailed(draft, checkpointId, e);
            return;
        }
        parentVersion = m.version();
        double holdout = m.metric(ManifestMetrics.HOLDOUT_ACCURACY);
        learner.setChampion(draft.params());
        metrics.crownChallenger();
        LOG.info("published {} v{} at checkpoint {}: {} examples, prequential accuracy {}, holdout accuracy {}",
                m.model(), m.version(), checkpointId, m.examplesSeen(), m.metric(ManifestMetrics.PREQUENTIAL_ACCURACY),
                holdout);
    }

    /**
     * A checkpoint's state that could not be published is reported, not fatal: the checkpoint itself is safe in
     * Flink, training goes on, and the next checkpoint drafts again even without new examples, so publishing
     * resumes as soon as the store (or the models topic) is back. The store allocates versions, so none collides.
     */
    private void publishFailed(SnapshotDraft draft, long checkpointId, RuntimeException e) {
        publishFailedCounter.inc();
        lastDraftExamples = -1;
        LOG.error("could not publish the snapshot of {} at checkpoint {} ({} examples); training goes on and the next "
                + "checkpoint tries again: {}", spec.name(), checkpointId, draft.examplesSeen(), e.toString(), e);
        publisher.sendEvent(new SnapshotPublishFailedEvent(spec.name(), PlatformEvent.TRAINER, checkpointId,
                draft.examplesSeen(), String.valueOf(e.getMessage()), Clock.systemUTC().millis()));
    }

    private void refuse(SnapshotDraft draft, long checkpointId, String reason) {
        refusedCounter.inc();
        LOG.warn("quality gate refused the snapshot of {} at checkpoint {} ({} examples): {}", spec.name(),
                checkpointId, draft.examplesSeen(), reason);
        publisher.sendEvent(SnapshotRefusedEvent.byTrainer(spec.name(), checkpointId, draft.examplesSeen(), reason,
                Clock.systemUTC().millis()));
    }

    /** What a checkpoint taken now would hold; tests compare instances with it. */
    TrainerState currentState() {
        return new TrainerState(learner.saveParameters(), learner.saveOptimizerState(), metrics,
                new ArrayList<>(buffer), parentVersion, drift == null ? new byte[0] : drift.state(), lineageId);
    }

    @Override
    public void close() throws Exception {
        super.close();
        if (learner != null) {
            learner.close();
        }
        if (publisher != null) {
            publisher.close();
        }
    }
}
