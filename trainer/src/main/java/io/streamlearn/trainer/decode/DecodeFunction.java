package io.streamlearn.trainer.decode;

import io.streamlearn.core.example.CodecException;
import io.streamlearn.core.example.Example;
import io.streamlearn.core.example.ExampleCodec;
import io.streamlearn.core.example.ExampleSchema;
import org.apache.flink.metrics.Counter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/** Decodes and validates records; what fails goes to the {@link #DEAD_LETTERS} side output with its reason. */
public class DecodeFunction extends ProcessFunction<RawRecord, Example> {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("dead-letters") {
        private static final long serialVersionUID = 1L;
    };

    private final ExampleSchema schema;
    private transient Counter decoded;
    private transient Counter rejected;

    public DecodeFunction(ExampleSchema schema) {
        this.schema = schema;
    }

    @Override
    public void open(OpenContext openContext) {
        var group = getRuntimeContext().getMetricGroup().addGroup("streamlearn");
        decoded = group.counter("decoded_records");
        rejected = group.counter("rejected_records");
    }

    @Override
    public void processElement(RawRecord r, Context ctx, Collector<Example> out) {
        String reason;
        Example e = null;
        try {
            reason = schema.recordProblem(r.value);
            if (reason == null) {
                e = ExampleCodec.decode(r.value, r.contentType);
                reason = schema.problem(e);
                if (reason != null) {
                    reason = "example " + e.id() + ": " + reason;
                }
            }
        } catch (CodecException | IllegalArgumentException ex) {
            reason = ex.getMessage();
        } catch (RuntimeException ex) {
            // Any other failure on one record (a decoder bug, a value no check foresaw) is that record's problem:
            // failing the job would replay it forever.
            reason = "cannot decode: " + ex;
        }
        if (reason == null) {
            decoded.inc();
            // Outside the try: a chained trainer runs inside collect, and its failures are not this record's.
            // The position travels with the example so the trainer can record offsets in the manifest.
            out.collect(e.at(r.partition, r.offset));
            return;
        }
        rejected.inc();
        ctx.output(DEAD_LETTERS, new DeadLetter(r, reason + " (" + r.position() + ")"));
    }
}
