package io.streamlearn.trainer.job;

import io.streamlearn.trainer.learn.Champion;
import io.streamlearn.trainer.learn.OffThread;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Subtask 0's publishing, off Flink's task thread: a completed checkpoint's draft is judged and published
 * ({@link CheckpointDrafts}) and a published version loaded as the next champion on one publisher thread, one
 * publish in flight, while the task thread goes on feeding the training thread. Each outcome is applied on the task
 * thread in checkpoint order (a mailbox mail, or at the latest at the next {@link #await}): the operator awaits it
 * before a checkpoint's state, the next completed checkpoint and close, so the state it writes is what it was when
 * publishing ran on the task thread. A publish that throws (other than the store or topic failures that
 * {@link CheckpointDrafts} reports and survives) fails the task, as before.
 */
final class PublisherThread implements AutoCloseable {
    /** A completed checkpoint's outcome and, when it was published, its parameters loaded as the new champion. */
    record Applied(CheckpointDrafts.Outcome outcome, Champion champion) {}

    private final CheckpointDrafts drafts;
    private final Function<byte[], Champion> champion;
    private final OffThread<Applied> thread;

    /**
     * @param name     the publisher thread's name
     * @param loader   its context class loader (DJL finds its engine through it)
     * @param task     runs tasks on the task thread (Flink's mailbox)
     * @param drafts   the drafts waiting for their checkpoint; null on a subtask that never publishes (the thread
     *                 never starts)
     * @param champion loads a published version's parameter file as a champion (on the publisher thread)
     * @param apply    applies an outcome on the task thread, in checkpoint order
     */
    PublisherThread(String name, ClassLoader loader, Executor task, CheckpointDrafts drafts,
            Function<byte[], Champion> champion, Consumer<Applied> apply) {
        this.drafts = drafts;
        this.champion = champion;
        this.thread = new OffThread<>(name, loader, task, apply, cause -> new IllegalStateException(
                name + ": publishing a completed checkpoint's snapshot failed: " + cause, cause));
    }

    /**
     * Starts publishing the newest draft up to the completed {@code checkpointId}, if one waits, after the previous
     * publish finished and its outcome was applied; only a completed checkpoint's draft is ever published.
     */
    void complete(long checkpointId) {
        thread.await();
        CheckpointDrafts.Completed c = drafts == null ? null : drafts.take(checkpointId);
        if (c == null) {
            return;
        }
        thread.submit(() -> {
            CheckpointDrafts.Outcome o = drafts.publish(c);
            return new Applied(o, o.result() == CheckpointDrafts.Result.PUBLISHED
                    ? champion.apply(o.draft().params()) : null);
        });
    }

    /** Waits for the publish in flight, if any, and applies its outcome; rethrows what failed it. */
    void await() {
        thread.await();
    }

    /** Waits for the publish in flight (it belongs to a completed checkpoint), applies it, stops the thread. */
    @Override
    public void close() {
        thread.close();
    }
}
