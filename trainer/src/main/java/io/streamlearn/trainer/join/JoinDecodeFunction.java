package io.streamlearn.trainer.join;

import io.streamlearn.core.example.ExampleCodec;
import io.streamlearn.core.feedback.Feedback;
import io.streamlearn.core.feedback.FeedbackJsonCodec;
import io.streamlearn.trainer.decode.DeadLetter;
import io.streamlearn.trainer.decode.DecodeFunction;
import io.streamlearn.trainer.decode.RawRecord;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Reads the id (and a label's class) of a request or feedback record, keeping its bytes and event time. A label
 * that cannot be read goes to the {@link DecodeFunction#DEAD_LETTERS} side output with the reason; a request that
 * cannot be read is only counted ({@code join_invalid_requests}): serving dead-letters it already.
 */
public class JoinDecodeFunction extends ProcessFunction<RawRecord, JoinInput> {
    private static final long serialVersionUID = 1L;

    private final boolean requests;
    private transient Counter invalid;

    /** A decoder of the requests topic ({@code requests}) or of the feedback topic. */
    public JoinDecodeFunction(boolean requests) {
        this.requests = requests;
    }

    @Override
    public void processElement(RawRecord r, Context ctx, Collector<JoinInput> out) {
        Long at = ctx.timestamp();
        JoinInput in = null;
        String reason;
        try {
            if (at == null || at < 0) {
                reason = "record without a timestamp: the join works in event time";
            } else if (requests) {
                in = JoinInput.request(ExampleCodec.decode(r.value, r.contentType).id(), at, r);
                reason = null;
            } else {
                Feedback f = FeedbackJsonCodec.decode(r.key, r.value);
                // Regression targets: when Feedback gains a target, carry it here beside the label.
                in = JoinInput.label(f.id(), f.label(), at, r);
                reason = null;
            }
        } catch (RuntimeException e) {
            // One unreadable record is that record's problem: failing the job would replay it forever.
            reason = (requests ? "undecodable request: " : "undecodable label: ") + e.getMessage();
        }
        if (in != null) {
            out.collect(in);
            return;
        }
        invalid.inc();
        if (!requests) {
            ctx.output(DecodeFunction.DEAD_LETTERS, new DeadLetter(r, reason + " (" + r.position() + ")"));
        }
    }

    @Override
    public void open(OpenContext openContext) {
        invalid = getRuntimeContext().getMetricGroup().addGroup("streamlearn")
                .counter(requests ? "join_invalid_requests" : "join_invalid_labels");
    }
}
