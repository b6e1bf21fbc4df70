package io.streamlearn.trainer.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ai.djl.Device;
import io.streamlearn.core.example.Features;
import io.streamlearn.trainer.learn.OnlineLearner;
import io.streamlearn.trainer.learn.StepPipeline;
import java.nio.BufferOverflowException;
import java.time.Duration;
import java.util.ArrayList;

import io.streamlearn.core.example.Example;
import io.streamlearn.core.model.ModelSpec;
import io.streamlearn.core.model.OptimizerSpec;
import io.streamlearn.trainer.learn.OnlineLearnerTest;
import io.streamlearn.trainer.state.TrainerState;
import java.nio.file.Path;
import java.util.List;
import org.apache.flink.streaming.runtime.tasks.mailbox.TaskMailbox;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trainer operator in Flink's operator test harness: a checkpoint restored into a new instance continues exactly
 * as the instance that took it, bit for bit for a network without dropout; a checkpoint taken while a step runs on
 * the training thread includes that step; a step's exception fails the task.
 */
class OnlineTrainerOperatorHarnessTest {
    private static final ModelSpec SPEC = ModelSpec.mlp("blobs", 4, 3, 16).withOptimizer(OptimizerSpec.adam(0.01f));

    @TempDir
    Path store;

    private TrainerConfig config() {
        return config(1_000_000);
    }

    private TrainerConfig config(long maxWaitMs) {
        // No broker: nothing is published without notifyCheckpointComplete, and the drift detector is off so no
        // event is sent.
        return TrainerConfig.builder().setBootstrapServers("127.0.0.1:9").setSpec(SPEC)
                .setStoreRoot(store.toString()).optDriftDetector("none").optMaxWaitMs(maxWaitMs).build();
    }

    private OnlineTrainerOperator operator() {
        return new OnlineTrainerOperator(config(), StartingPoint.fresh());
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

    @Test
    void aPartBatchTrainsOnceItsFirstExampleWaitedTheMaxWaitWhateverBatchesWentBefore() throws Exception {
        List<Example> stream = OnlineLearnerTest.blobs(32 + 6, 7, "w");
        OnlineTrainerOperator op = new OnlineTrainerOperator(config(100), StartingPoint.fresh());
        try (var h = harness(op)) {
            h.open();
            h.setProcessingTime(1_000);
            feed(h, stream.subList(0, 3));
            h.setProcessingTime(1_050);
            // 29 more fill the first batch, which trains; 6 start the next batch at 1,050, due at 1,150.
            feed(h, stream.subList(3, stream.size()));
            assertThat(op.currentState().buffered()).hasSize(6);
            h.setProcessingTime(1_100);
            assertThat(op.currentState().buffered()).as("the timer of the first batch is not this batch's").hasSize(6);
            h.setProcessingTime(1_149);
            assertThat(op.currentState().buffered()).hasSize(6);
            h.setProcessingTime(1_150);
            assertThat(op.currentState().buffered()).as("waited 100 ms: trained as a part batch").isEmpty();
            assertThat(op.currentState().metrics().examples + op.currentState().metrics().heldOut)
                    .isEqualTo(stream.size());
        }
    }

    @Test
    void aCheckpointTakenWhileAStepRunsIncludesThatStep() throws Exception {
        List<Example> batch = OnlineLearnerTest.blobs(32, 5, "f");
        OnlineTrainerOperator original = operator();
        OnlineTrainerOperator restored = operator();
        byte[] expected;
        try (OnlineLearner direct = new OnlineLearner(SPEC, Device.cpu(), config().holdoutFraction(), 32,
                null)) {
            direct.step(batch);
            expected = direct.saveParameters();
        }
        try (var a = harness(original)) {
            a.open();
            // The 32nd example fills the batch: its step starts on the training thread and processElement returns.
            feed(a, batch);
            OperatorSubtaskState checkpoint = a.snapshot(1, 1);
            try (var b = harness(restored)) {
                b.initializeState(checkpoint);
                b.open();
                TrainerState state = restored.currentState();
                assertThat(state.buffered()).as("the batch is not waiting: it was trained").isEmpty();
                assertThat(state.metrics().examples + state.metrics().heldOut).isEqualTo(32);
                assertThat(state.params()).as("the parameters after the step, as a learner that stepped directly")
                        .isEqualTo(expected);
            }
        }
    }

    @Test
    void aStepsExceptionFailsTheTask() throws Exception {
        try (var h = harness(operator())) {
            h.open();
            feed(h, unfitBatch());
            // The finished step wakes the task thread through its mailbox; running that mail fails the task.
            await().pollInSameThread().atMost(Duration.ofMinutes(2)).until(() -> h.getTaskMailbox().hasMail());
            var mail = h.getTaskMailbox().tryTake(TaskMailbox.MIN_PRIORITY).orElseThrow();
            assertThatThrownBy(mail::run).isInstanceOf(StepPipeline.TrainingStepException.class)
                    .hasMessageContaining("training step failed").hasCauseInstanceOf(BufferOverflowException.class);
        }
    }

    @Test
    void aStepsExceptionIsRethrownByTheBatchAfterTheOneQueuedBehindIt() throws Exception {
        try (var h = harness(operator())) {
            h.open();
            feed(h, unfitBatch());
            // Queued behind the failing step: its submit does not wait.
            feed(h, OnlineLearnerTest.blobs(32, 6, "g"));
            List<Example> third = OnlineLearnerTest.blobs(32, 7, "g");
            assertThatThrownBy(() -> feed(h, third)).isInstanceOf(StepPipeline.TrainingStepException.class)
                    .hasCauseInstanceOf(BufferOverflowException.class);
        }
    }

    /**
     * A full batch with five features where the spec has four: the decoder would reject them; here they reach the
     * step, whose batch buffer (32 rows of four) overflows on the training thread.
     */
    private static List<Example> unfitBatch() {
        List<Example> bad = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
            bad.add(new Example("bad-" + i, new Features.Float32(new float[5]), 0, 1f, 0L));
        }
        return bad;
    }
}
