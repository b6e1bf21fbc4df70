package io.streamlearn.trainer.join;

import io.streamlearn.core.example.Example;
import io.streamlearn.core.example.ExampleCodec;
import io.streamlearn.trainer.decode.DeadLetter;
import io.streamlearn.trainer.decode.DecodeFunction;
import io.streamlearn.trainer.decode.RawRecord;
import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The keyed (by id) label join: keeps each id's {@link JoinRules} state in Flink state (the id's past with a TTL,
 * what waits for the watermark with event-time timers), emits joined examples, sends every label not joined to
 * the {@link DecodeFunction#DEAD_LETTERS} side output with its reason, and counts all of it in a checkpointed
 * {@link JoinTally} exposed as gauges.
 */
public class JoinFunction extends KeyedProcessFunction<String, JoinInput, Example> implements CheckpointedFunction {
    private static final long serialVersionUID = 1L;

    private final long windowMs;
    private final long stateTtlMs;

    private transient JoinRules rules;
    private transient ValueState<JoinRules.Seen> seenState;
    private transient ValueState<JoinRules.Open> openState;
    private transient ListState<long[]> tallyState;
    private transient JoinTally tally;
    private transient Emitter emitter;

    public JoinFunction(long windowMs, long stateTtlMs) {
        this.windowMs = windowMs;
        this.stateTtlMs = stateTtlMs;
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        tallyState = context.getOperatorStateStore().getListState(new ListStateDescriptor<>("join-tally",
                long[].class));
        tally = new JoinTally();
        // Each subtask checkpoints its own tally; after rescaling a subtask may get several, or none.
        for (long[] a : tallyState.get()) {
            tally.add(JoinTally.fromArray(a));
        }
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        tallyState.update(java.util.List.of(tally.toArray()));
    }

    @Override
    public void open(OpenContext openContext) {
        rules = new JoinRules(windowMs);
        emitter = new Emitter();
        // Processing-time TTL from the last write: it bounds the state of ids whose event time stopped advancing too.
        // Only an id's past expires this way; what waits for the watermark is decided by timers, never dropped.
        StateTtlConfig ttl = StateTtlConfig.newBuilder(Duration.ofMillis(stateTtlMs))
                .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                .build();
        ValueStateDescriptor<JoinRules.Seen> seen = new ValueStateDescriptor<>("seen", JoinRules.Seen.class);
        seen.enableTimeToLive(ttl);
        seenState = getRuntimeContext().getState(seen);
        openState = getRuntimeContext().getState(new ValueStateDescriptor<>("open", JoinRules.Open.class));
        MetricGroup group = getRuntimeContext().getMetricGroup().addGroup("streamlearn");
        for (int i = 0; i < JoinTally.SIZE; i++) {
            int index = i;
            group.gauge(JoinTally.metricName(i), (Gauge<Long>) () -> tally.get(index));
        }
        group.gauge("join_labels_waiting", (Gauge<Long>) () -> tally.waiting());
    }

    /** This subtask's counts (for tests: the gauges read the same). */
    JoinTally tally() {
        return tally;
    }

    @Override
    public void processElement(JoinInput in, Context ctx, Collector<Example> out) throws Exception {
        JoinRules.Seen seen = seenState.value();
        boolean newSeen = seen == null;
        if (newSeen) {
            seen = new JoinRules.Seen();
        }
        long requestAt = seen.requestAtMs;
        int firstLabel = seen.firstLabel;
        JoinRules.Open open = openState.value();
        if (open == null) {
            open = new JoinRules.Open();
        }
        emitter.ctx = ctx;
        emitter.out = out;
        if (in.request) {
            tally.requestReceived();
            rules.onRequest(seen, open, in, emitter);
        } else {
            tally.labelReceived();
            rules.onLabel(seen, open, in, emitter);
        }
        if (newSeen || seen.requestAtMs != requestAt || seen.firstLabel != firstLabel) {
            seenState.update(seen);
        }
        save(open, ctx);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Example> out) throws Exception {
        JoinRules.Open open = openState.value();
        if (open == null) {
            return;
        }
        emitter.ctx = ctx;
        emitter.out = out;
        rules.onWatermark(open, timestamp, emitter);
        save(open, ctx);
    }

    private void save(JoinRules.Open open, Context ctx) throws Exception {
        if (open.isEmpty()) {
            openState.clear();
            return;
        }
        openState.update(open);
        // Flink keeps one timer per key and time, so registering the same deadline again is free.
        if (open.request != null) {
            ctx.timerService().registerEventTimeTimer(open.requestAtMs + windowMs);
        }
        if (open.pendingLabel != null) {
            ctx.timerService().registerEventTimeTimer(open.pendingLabel.timestampMs + windowMs);
        }
    }

    /** Turns the rules' outcomes into output, dead letters and counts for the element or timer in hand. */
    private final class Emitter implements JoinRules.Outcomes {
        Context ctx;
        Collector<Example> out;

        @Override
        public void joined(JoinInput label, RawRecord request) {
            tally.outcome(LabelOutcome.JOINED);
            Example served = ExampleCodec.decode(request.value, request.contentType);
            // The regression hook: when Feedback carries a target, the joined example carries it too.
            out.collect(new Example(label.id, served.features(), label.label, 1f, label.timestampMs));
        }

        @Override
        public void dropped(JoinInput label, LabelOutcome outcome, String reason) {
            tally.outcome(outcome);
            ctx.output(DecodeFunction.DEAD_LETTERS, new DeadLetter(label.raw, reason + " (" + label.raw.position()
                    + ")"));
        }

        @Override
        public void repeatedRequest(JoinInput request) {
            tally.requestRepeated();
        }

        @Override
        public void expiredRequest() {
            tally.requestExpired();
        }
    }
}
