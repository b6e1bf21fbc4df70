package io.streamlearn.trainer.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamlearn.core.example.Example;
import io.streamlearn.core.model.ModelSpec;
import io.streamlearn.core.model.OptimizerSpec;
import io.streamlearn.trainer.learn.OnlineLearnerTest;
import io.streamlearn.trainer.state.TrainerState;
import java.nio.file.Path;
import java.util.List;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trainer operator in Flink's operator test harness: a checkpoint restored into a new instance continues exactly
 * as the instance that took it, bit for bit for a network without dropout.
 */
class OnlineTrainerOperatorHarnessTest {
    private static final ModelSpec SPEC = ModelSpec.mlp("blobs", 4, 3, 16).withOptimizer(OptimizerSpec.adam(0.01f));

    @TempDir
    Path store;

    private OnlineTrainerOperator operator() {
        // No broker: nothing is published without notifyCheckpointComplete, and the drift detector is off so no
        // event is sent.
        TrainerConfig config = TrainerConfig.builder().setBootstrapServers("127.0.0.1:9").setSpec(SPEC)
                .setStoreRoot(store.toString()).optDriftDetector("none").optMaxWaitMs(1_000_000).build();
        return new OnlineTrainerOperator(config, StartingPoint.fresh());
    }

    private static OneInputStreamOperatorTestHarness<Example, Void> harness(OnlineTrainerOperator op)
            throws Exception {
        return new OneInputStreamOperatorTestHarness<>(op);
    }

    private static void feed(OneInputStreamOperatorTestHarness<Example, Void> h, List<Example> examples)
            throws Exception {
        for (Example e : examples) {
            h.processElement(new StreamRecord<>(e));
        }
    }

    @Test
    void aRestoredInstanceContinuesBitForBitLikeTheOneThatTookTheCheckpoint() throws Exception {
        List<Example> stream = OnlineLearnerTest.blobs(32 * 20 + 7, 21, "h");
        List<Example> before = stream.subList(0, 32 * 10 + 5);
        List<Example> after = stream.subList(before.size(), stream.size());
        OnlineTrainerOperator original = operator();
        OnlineTrainerOperator restored = operator();
        try (var a = harness(original)) {
            a.open();
            feed(a, before);
            OperatorSubtaskState checkpoint = a.snapshot(1, 1);
            TrainerState atCheckpoint = original.currentState();
            assertThat(atCheckpoint.buffered()).as("a part batch waits in the checkpoint").hasSize(5);
            try (var b = harness(restored)) {
                b.initializeState(checkpoint);
                b.open();
                TrainerState justRestored = restored.currentState();
                assertThat(justRestored.params()).isEqualTo(atCheckpoint.params());
                assertThat(justRestored.optimizerState()).isEqualTo(atCheckpoint.optimizerState());
                assertThat(justRestored.buffered()).isEqualTo(atCheckpoint.buffered());
                assertThat(justRestored.lineageId()).as("the lineage survives the restore; this operator's own fresh "
                        + "starting point minted another").isEqualTo(atCheckpoint.lineageId()).isNotBlank();

                feed(a, after);
                feed(b, after);
                TrainerState x = original.currentState();
                TrainerState y = restored.currentState();
                assertThat(x.metrics().examples + x.metrics().heldOut + x.buffered().size())
                        .isEqualTo(stream.size());
                assertThat(y.params()).as("parameters, bit for bit").isEqualTo(x.params());
                assertThat(y.optimizerState()).as("optimizer moments and step counts").isEqualTo(x.optimizerState());
                assertThat(y.encode()).as("the whole state: metrics, buffered examples, parent version")
                        .isEqualTo(x.encode());
            }
        }
    }
}
