package io.streamlearn.trainer.learn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ai.djl.Device;
import io.streamlearn.core.example.Example;
import io.streamlearn.core.example.Features;
import java.nio.BufferOverflowException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;

/**
 * Steps on the training thread, one in flight, recorded on the owner's thread in step order, with the same
 * parameters as steps taken directly; a step's exception comes back to the owner.
 */
class StepPipelineTest {
    @Test
    void recordsEveryStepOnTheOwnersThreadInOrderWithTheParametersOfDirectSteps() {
        List<Example> stream = OnlineLearnerTest.blobs(32 * 12, 3, "p");
        byte[] direct;
        try (OnlineLearner learner = new OnlineLearner(OnlineLearnerTest.SPEC, Device.cpu(), 0.2, 32, null)) {
            for (int i = 0; i < stream.size(); i += 32) {
                learner.step(stream.subList(i, i + 32));
            }
            direct = learner.saveParameters();
        }
        Thread owner = Thread.currentThread();
        List<Integer> recorded = new ArrayList<>();
        List<Thread> recordedOn = new ArrayList<>();
        ConcurrentLinkedQueue<Runnable> mailbox = new ConcurrentLinkedQueue<>();
        try (OnlineLearner learner = new OnlineLearner(OnlineLearnerTest.SPEC, Device.cpu(), 0.2, 32, null);
                StepPipeline steps = new StepPipeline("test-step", getClass().getClassLoader(), mailbox::add, d -> {
                    recorded.add(d.outcome().trained() + d.outcome().heldOut());
                    recordedOn.add(Thread.currentThread());
                })) {
            List<Example> buffer = new ArrayList<>();
            for (int i = 0; i < stream.size(); i++) {
                buffer.add(stream.get(i));
                if (buffer.size() == 32) {
                    buffer = steps.submit(learner, buffer);
                    assertThat(buffer).as("a fresh batch to fill, not the one in flight").isEmpty();
                }
            }
            // The last step wakes the owner: running its mail records it without waiting for another batch.
            assertThat(recorded).as("each submit waited for and recorded the step two before, the queue being full")
                    .hasSizeGreaterThanOrEqualTo(10);
            await().pollInSameThread().atMost(Duration.ofMinutes(1)).until(() -> {
                runAll(mailbox);
                return recorded.size() == 12;
            });
            assertThat(recorded).hasSize(12).containsOnly(32);
            assertThat(recordedOn).containsOnly(owner);
            assertThat(learner.saveParameters()).as("the same parameters as steps taken on the caller's thread")
                    .isEqualTo(direct);
        }
    }

    @Test
    void aFailedStepIsRethrownToTheOwner() {
        List<Example> bad = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
            // Five features where the spec has four: the batch buffer overflows on the training thread.
            bad.add(new Example("bad-" + i, new Features.Float32(new float[5]), 0, 1f, 0L));
        }
        try (OnlineLearner learner = new OnlineLearner(OnlineLearnerTest.SPEC, Device.cpu(), 0.0, 32, null);
                StepPipeline steps = new StepPipeline("test-step", getClass().getClassLoader(), mail -> { },
                        d -> { })) {
            steps.submit(learner, bad);
            assertThatThrownBy(steps::await).isInstanceOf(StepPipeline.TrainingStepException.class)
                    .hasMessageContaining("test-step").hasCauseInstanceOf(BufferOverflowException.class);
        }
    }

    @Test
    void aResourceHeldForAfterTheStepIsClosedWhenTheStepFails() {
        List<Example> bad = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
            bad.add(new Example("bad-" + i, new Features.Float32(new float[5]), 0, 1f, 0L));
        }
        java.util.concurrent.atomic.AtomicInteger closed = new java.util.concurrent.atomic.AtomicInteger();
        try (OnlineLearner learner = new OnlineLearner(OnlineLearnerTest.SPEC, Device.cpu(), 0.0, 32, null);
                StepPipeline steps = new StepPipeline("test-step", getClass().getClassLoader(), mail -> { },
                        d -> { })) {
            steps.submit(learner, OnlineLearnerTest.blobs(32, 3, "ok"));
            steps.await(closed::incrementAndGet);
            assertThat(closed).hasValue(0);
            steps.submit(learner, bad);
            assertThatThrownBy(() -> steps.await(closed::incrementAndGet))
                    .isInstanceOf(StepPipeline.TrainingStepException.class);
            assertThat(closed).hasValue(1);
        }
    }

    private static void runAll(ConcurrentLinkedQueue<Runnable> mailbox) {
        for (Runnable r = mailbox.poll(); r != null; r = mailbox.poll()) {
            r.run();
        }
    }
}
