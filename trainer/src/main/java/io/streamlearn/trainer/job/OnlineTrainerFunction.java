package io.streamlearn.trainer.job;

import io.streamlearn.core.example.Example;
import io.streamlearn.core.model.ModelSpec;
import io.streamlearn.core.snapshot.SnapshotDraft;
import io.streamlearn.core.snapshot.SnapshotManifest;
import io.streamlearn.core.snapshot.SnapshotStore;
import io.streamlearn.trainer.learn.BatchOutcome;
import io.streamlearn.trainer.learn.DeviceSelector;
import io.streamlearn.trainer.learn.LearningMetrics;
import io.streamlearn.trainer.learn.OnlineLearner;
import io.streamlearn.trainer.snapshot.SnapshotPublisher;
import io.streamlearn.trainer.state.TrainerState;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The online trainer operator, kept thin: it buffers examples into mini-batches (flushed when full
 * or after the max wait), hands them to {@link OnlineLearner}, checkpoints everything in
 * {@link TrainerState}, and publishes the state of each completed checkpoint as a snapshot.
 * Runs at parallelism 1, keyed by model name so that processing-time timers are available.
 */
public class OnlineTrainerFunction extends KeyedProcessFunction<String, Example, Void>
        implements CheckpointedFunction, CheckpointListener {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(OnlineTrainerFunction.class);

    private final TrainerConfig config;

    private transient ModelSpec spec;
    private transient OnlineLearner learner;
    private transient SnapshotPublisher publisher;
    private transient List<Example> buffer;
    private transient LearningMetrics metrics;
    private transient long parentVersion;
    private transient long timerAt;
    private transient ListState<byte[]> checkpointed;
    private transient byte[] restoredParams;
    private transient TreeMap<Long, SnapshotDraft> pending;
    private transient long lastDraftExamples;
    private transient Counter examplesCounter;
    private transient Counter stepsCounter;

    public OnlineTrainerFunction(TrainerConfig config) {
        this.config = config;
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        checkpointed = context.getOperatorStateStore().getListState(
                new ListStateDescriptor<>("trainer-state", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        buffer = new ArrayList<>();
        metrics = new LearningMetrics();
        pending = new TreeMap<>();
        lastDraftExamples = -1;
        if (context.isRestored()) {
            for (byte[] blob : checkpointed.get()) {
                TrainerState s = TrainerState.decode(blob);
                restoredParams = s.params();
                metrics = s.metrics();
                buffer.addAll(s.buffered());
                parentVersion = s.parentVersion();
                lastDraftExamples = metrics.examples;
            }
            LOG.info("trainer restored: {} examples trained, {} buffered, parent version {}", metrics.examples,
                    buffer.size(), parentVersion);
        }
    }

    @Override
    public void open(OpenContext openContext) {
        // DJL finds its engine through the context class loader; on a cluster that is Flink's user loader.
        Thread.currentThread().setContextClassLoader(getClass().getClassLoader());
        spec = config.spec();
        int subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        learner = new OnlineLearner(spec, DeviceSelector.select(config.device(), subtask), config.holdoutFraction(),
                spec.batchSize(), restoredParams);
        restoredParams = null;
        SnapshotStore store = new SnapshotStore(Path.of(config.storeRoot()));
        publisher = new SnapshotPublisher(store, config.bootstrapServers(), config.topics().models(),
                config.kafkaOverrides());
        if (parentVersion == 0) {
            parentVersion = store.latestVersion(spec.name());
        }
        MetricGroup group = getRuntimeContext().getMetricGroup().addGroup("streamlearn");
        examplesCounter = group.counter("examples_trained");
        stepsCounter = group.counter("steps");
        group.gauge("prequential_accuracy", () -> metrics.prequentialAccuracy());
        group.gauge("holdout_accuracy", () -> metrics.holdoutAccuracy());
        group.gauge("loss", () -> metrics.lastLoss);
        group.gauge("model_version", () -> parentVersion);
        group.gauge("skipped_steps", () -> metrics.skippedSteps);
        LOG.info("trainer for {} on {} ({}), batch {}, holdout {}", spec.name(), learner.device(),
                learner.engineDescription(), spec.batchSize(), config.holdoutFraction());
    }

    @Override
    public void processElement(Example e, Context ctx, Collector<Void> out) {
        buffer.add(e);
        if (buffer.size() >= spec.batchSize()) {
            trainBuffered();
            if (timerAt != 0) {
                ctx.timerService().deleteProcessingTimeTimer(timerAt);
                timerAt = 0;
            }
        } else if (timerAt == 0) {
            timerAt = ctx.timerService().currentProcessingTime() + config.maxWaitMs();
            ctx.timerService().registerProcessingTimeTimer(timerAt);
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Void> out) {
        if (timestamp == timerAt) {
            timerAt = 0;
        }
        if (!buffer.isEmpty()) {
            trainBuffered();
        }
    }

    private void trainBuffered() {
        BatchOutcome o = learner.step(buffer);
        metrics.record(o);
        examplesCounter.inc(o.trained());
        if (o.stepped()) {
            stepsCounter.inc();
        }
        buffer.clear();
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        byte[] params = learner.saveParameters();
        checkpointed.update(List.of(new TrainerState(params, metrics, new ArrayList<>(buffer), parentVersion).encode()));
        if (metrics.examples > lastDraftExamples) {
            lastDraftExamples = metrics.examples;
            pending.put(context.getCheckpointId(), new SnapshotDraft(spec, params, metrics.examples, metrics.steps,
                    context.getCheckpointId(), parentVersion, learner.engineDescription(), learner.device().toString(),
                    metrics.toManifestMetrics(), Map.of("topic", config.topics().examples(),
                            "examples_seen", Long.toString(metrics.examples + metrics.heldOut))));
        }
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) {
        // Only the newest completed state is worth serving; older pending drafts are superseded.
        var done = pending.headMap(checkpointId, true);
        if (done.isEmpty()) {
            return;
        }
        SnapshotDraft newest = done.lastEntry().getValue();
        done.clear();
        SnapshotManifest m = publisher.publish(newest);
        parentVersion = m.version();
        LOG.info("published {} v{} at checkpoint {}: {} examples, prequential accuracy {}, holdout accuracy {}",
                m.model(), m.version(), checkpointId, m.examplesSeen(), m.metric("prequential_accuracy"),
                m.metric("holdout_accuracy"));
    }

    @Override
    public void close() throws Exception {
        if (learner != null) {
            learner.close();
        }
        if (publisher != null) {
            publisher.close();
        }
    }
}
