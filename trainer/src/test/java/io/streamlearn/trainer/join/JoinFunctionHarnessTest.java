package io.streamlearn.trainer.join;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamlearn.core.example.ContentTypes;
import io.streamlearn.core.example.Example;
import io.streamlearn.core.example.ExampleBinaryCodec;
import io.streamlearn.core.example.Features;
import io.streamlearn.core.feedback.Feedback;
import io.streamlearn.core.feedback.FeedbackJsonCodec;
import io.streamlearn.trainer.decode.DeadLetter;
import io.streamlearn.trainer.decode.DecodeFunction;
import io.streamlearn.trainer.decode.RawRecord;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * The join function under Flink's keyed operator harness: what it keeps in state (an id's past, a waiting label, its
 * tally) survives a snapshot and a restore into a new instance, and decides the same afterwards.
 */
class JoinFunctionHarnessTest {
    private static final long W = 10_000;

    private static KeyedOneInputStreamOperatorTestHarness<String, JoinInput, Example> harness(JoinFunction f)
            throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(f), in -> in.id, Types.STRING);
    }

    private static StreamRecord<JoinInput> request(String id, long at) {
        byte[] value = ExampleBinaryCodec.encode(Example.request(id, new Features.Float32(new float[] {1f, 2f})));
        return new StreamRecord<>(JoinInput.request(id, at, new RawRecord("requests", 0, at, null, value,
                ContentTypes.EXAMPLE_BINARY)), at);
    }

    private static StreamRecord<JoinInput> label(String id, int label, long at) {
        byte[] value = FeedbackJsonCodec.encode(new Feedback(id, label));
        return new StreamRecord<>(JoinInput.label(id, label, at, new RawRecord("feedback", 0, at, null, value,
                ContentTypes.JSON)), at);
    }

    private static List<String> reasons(KeyedOneInputStreamOperatorTestHarness<String, JoinInput, Example> h) {
        var out = h.getSideOutput(DecodeFunction.DEAD_LETTERS);
        return out == null ? List.of() : out.stream().map(r -> ((DeadLetter) r.getValue()).reason).toList();
    }

    @Test
    void theStateAndTheTallySurviveASnapshotAndARestoreIntoANewInstance() throws Exception {
        OperatorSubtaskState snapshot;
        try (var h = harness(new JoinFunction(W, 3_600_000))) {
            h.open();
            h.processElement(request("r1", 1_000));
            h.processElement(label("r1", 2, 2_000));
            h.processElement(label("r2", 0, 3_000));
            assertThat(h.extractOutputValues()).singleElement().satisfies(e -> {
                assertThat(e.id()).isEqualTo("r1");
                assertThat(e.label()).isEqualTo(2);
                assertThat(e.timestampMs()).isEqualTo(2_000);
                assertThat(e.features()).isEqualTo(new Features.Float32(new float[] {1f, 2f}));
            });
            snapshot = h.snapshot(1, 3_000);
        }
        JoinFunction restored = new JoinFunction(W, 3_600_000);
        try (var h = harness(restored)) {
            h.initializeState(snapshot);
            h.open();
            assertThat(restored.tally().labels()).isEqualTo(2);
            assertThat(restored.tally().count(LabelOutcome.JOINED)).isEqualTo(1);
            assertThat(restored.tally().waiting()).as("r2's label waits for its window").isEqualTo(1);
            h.processElement(label("r1", 2, 4_000));
            h.processElement(label("r1", 1, 4_500));
            h.processWatermark(3_000 + W);
            assertThat(reasons(h)).hasSize(3).satisfies(r -> {
                assertThat(r.get(0)).startsWith("duplicate label 2 for r1");
                assertThat(r.get(1)).startsWith("contradictory label 1 for r1: the id's first label was 2");
                assertThat(r.get(2)).startsWith("unmatched label for r2").endsWith("(feedback/0/3000)");
            });
            assertThat(restored.tally().summary()).isEqualTo("4 labels = 1 joined + 0 late + 1 unmatched + "
                    + "1 duplicate + 1 contradictory + 0 waiting; 1 requests (0 repeated, 0 expired without a label)");
            assertThat(h.numKeyedStateEntries()).as("r1's past is remembered, r2's waiting label is gone")
                    .isPositive();
        }
    }
}
