package io.streamlearn.trainer.learn;

import ai.djl.engine.Engine;
import io.streamlearn.core.example.Example;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * Runs {@link OnlineLearner#step} on one dedicated training thread, so that the caller's thread assembles the next
 * batch (fetching, decoding, buffering) while libtorch trains: on 2 cores, libtorch has one thread and the record path
 * the other core instead of taking turns on one. Two steps may be in flight, one training and the next queued behind
 * it: the training thread starts the queued step the moment the previous one finished. With one in flight, every step
 * waited for two thread wake-ups (the owner's, to hand over the next batch, then the training thread's), which on a
 * virtual machine cost a fifth of the training thread's time for the {@code mlp} spec.
 *
 * <p>The owner {@link #await}s the steps before anything that reads or changes the learner (a checkpoint, a merge, a
 * new champion, a drift reaction, close): the learner is never used by two threads at once, every training call
 * runs on the same thread (libtorch's grad mode is per thread), and a state taken after the wait includes every
 * step submitted. Finished steps are recorded on the owner's thread, in step order, as soon as they finish (the
 * owner's executor runs the check) or at the latest at the next {@link #await}; a step's exception is rethrown
 * there. Not thread-safe: one owner submits and awaits.
 */
public final class StepPipeline implements AutoCloseable {
    /** A finished step: its outcome and how long the learner took, in nanoseconds. */
    public record Done(BatchOutcome outcome, long nanos) {}

    private final OffThread<Done> thread;
    /** Written and read on the training thread only. */
    private boolean gradModeOff;

    /**
     * @param name   the training thread's name
     * @param loader the training thread's context class loader (DJL finds its engine through it)
     * @param owner  runs tasks on the owner's thread (Flink's mailbox): a finished step is recorded there at once
     * @param record records a finished step on the owner's thread, in step order
     */
    public StepPipeline(String name, ClassLoader loader, Executor owner, Consumer<Done> record) {
        this.thread = new OffThread<>(name, loader, owner, record,
                cause -> new TrainingStepException(name + ": the training step failed: " + cause, cause), 2);
    }

    /**
     * Queues {@code learner.step(batch)} on the training thread once fewer than two steps are in flight (waiting for
     * and recording the oldest); returns an empty list to fill with the next batch ({@code batch} belongs to the step).
     */
    public List<Example> submit(OnlineLearner learner, List<Example> batch) {
        List<Example> next = new ArrayList<>(batch.size());
        thread.submit(() -> {
            if (!gradModeOff) {
                // DJL turns libtorch's grad mode off only on the thread that loads the engine; a step turns it on
                // inside its GradientCollector. Without this the prediction pass and the optimizer's updates would
                // run with grad mode on.
                gradModeOff();
                gradModeOff = true;
            }
            long start = System.nanoTime();
            BatchOutcome o = learner.step(batch);
            return new Done(o, System.nanoTime() - start);
        });
        return next;
    }

    /**
     * Waits for the steps in flight, if any, and records them; a step's exception is rethrown here as a
     * {@link TrainingStepException} with the step's exception as the cause.
     */
    public void await() {
        thread.await();
    }

    /**
     * {@link #await()} for a caller holding {@code resource} it would hand over after the step: closed when the step
     * failed, before its exception is rethrown (the task fails, the resource's native memory must not stay behind).
     */
    public void await(AutoCloseable resource) {
        try {
            thread.await();
        } catch (RuntimeException | Error stepFailed) {
            try {
                resource.close();
            } catch (Exception closing) {
                stepFailed.addSuppressed(closing);
            }
            throw stepFailed;
        }
    }

    /**
     * Stops the training thread after the steps in flight, if any, finished; they are recorded and the first exception
     * rethrown, after the thread stopped.
     */
    @Override
    public void close() {
        thread.close();
    }

    private static void gradModeOff() {
        Engine engine = Engine.getInstance();
        if (!"PyTorch".equals(engine.getEngineName())) {
            return;
        }
        // The PyTorch engine is a runtime dependency: its JNI class is reached by name.
        try {
            Class.forName("ai.djl.pytorch.jni.JniUtils", true, engine.getClass().getClassLoader())
                    .getMethod("setGradMode", boolean.class).invoke(null, false);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("could not turn libtorch's grad mode off on the training thread", e);
        }
    }

    /** A training step failed on the training thread; the cause is its exception. */
    public static final class TrainingStepException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        TrainingStepException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
