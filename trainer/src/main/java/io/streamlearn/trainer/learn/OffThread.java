package io.streamlearn.trainer.learn;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * One task at a time on one dedicated thread, its result recorded on the owner's thread in submission order: as soon
 * as it finished (a mail through the owner's executor, Flink's mailbox) or at the latest at the owner's next
 * {@link #await}, which also rethrows its exception. The trainer's step ({@link StepPipeline}) and its publisher run
 * this way. Not thread-safe: one owner submits and awaits.
 *
 * @param <T> what a task returns
 */
public final class OffThread<T> implements AutoCloseable {
    private final ExecutorService thread;
    private final Executor owner;
    private final Consumer<T> record;
    private final Function<Throwable, RuntimeException> failure;
    private Future<T> inFlight;

    /**
     * @param name    the thread's name
     * @param loader  the thread's context class loader (DJL finds its engine through it)
     * @param owner   runs tasks later on the owner's thread (never at once on the caller's, which is this thread):
     *                a finished task is recorded there
     * @param record  records a finished task's result on the owner's thread
     * @param failure what {@link #await} throws for a task's exception (given as the cause)
     */
    public OffThread(String name, ClassLoader loader, Executor owner, Consumer<T> record,
            Function<Throwable, RuntimeException> failure) {
        this.owner = owner;
        this.record = record;
        this.failure = failure;
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            t.setContextClassLoader(loader);
            return t;
        });
    }

    /** Waits for the task in flight, if any, and records it; then starts {@code task} on the thread. */
    public void submit(Callable<T> task) {
        await();
        FutureTask<T> f = new FutureTask<>(task) {
            @Override
            protected void done() {
                // After the result is set, so that the owner finds the task finished.
                wakeOwner();
            }
        };
        inFlight = f;
        thread.execute(f);
    }

    /** Whether no task is in flight (none submitted, or the last one recorded). */
    public boolean idle() {
        return inFlight == null;
    }

    private void wakeOwner() {
        try {
            owner.execute(this::recordIfFinished);
        } catch (RejectedExecutionException ending) {
            // The owner is shutting down: its close awaits the task and rethrows the task's exception.
        }
    }

    private void recordIfFinished() {
        if (inFlight != null && inFlight.isDone()) {
            await();
        }
    }

    /** Waits for the task in flight, if any, and records it; its exception is rethrown as {@code failure} made it. */
    public void await() {
        Future<T> f = inFlight;
        if (f == null) {
            return;
        }
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    // Uninterruptibly: what the task uses (native memory, a publish under way) must not be closed
                    // while it runs.
                    T result = f.get();
                    inFlight = null;
                    record.accept(result);
                    return;
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    inFlight = null;
                    throw failure.apply(e.getCause());
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Stops the thread after the task in flight, if any, finished; that task is recorded and its exception rethrown,
     * after the thread stopped. Nothing runs on the thread afterwards.
     */
    @Override
    public void close() {
        try {
            await();
        } finally {
            stop();
        }
    }

    private void stop() {
        thread.shutdown();
        boolean interrupted = false;
        while (true) {
            try {
                if (thread.awaitTermination(1, TimeUnit.MINUTES)) {
                    break;
                }
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        inFlight = null;
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
