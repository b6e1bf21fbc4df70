package io.streamlearn.trainer.join;

import io.streamlearn.trainer.decode.RawRecord;
import java.io.Serializable;

/**
 * A request or a label on its way to the join, keyed by {@link #id}: the decoded id (and label), the record's event
 * time, and the original record (a request's bytes are what a joined example is made of; a label's bytes are what
 * its dead letter carries). A Flink POJO: public fields, no-argument constructor.
 */
public class JoinInput implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The request id, the join key. */
    public String id;
    /** True for a served request, false for a label. */
    public boolean request;
    /** A label's class index; unused for a request. */
    public int label;
    /** Event time: the Kafka record's timestamp, epoch milliseconds. */
    public long timestampMs;
    /** The record as read. */
    public RawRecord raw;

    public JoinInput() {}

    /** A served request with the bytes it arrived in. */
    public static JoinInput request(String id, long timestampMs, RawRecord raw) {
        JoinInput in = new JoinInput();
        in.id = id;
        in.request = true;
        in.label = -1;
        in.timestampMs = timestampMs;
        in.raw = raw;
        return in;
    }

    /** A label for {@code id}. */
    public static JoinInput label(String id, int label, long timestampMs, RawRecord raw) {
        JoinInput in = new JoinInput();
        in.id = id;
        in.label = label;
        in.timestampMs = timestampMs;
        in.raw = raw;
        return in;
    }
}
