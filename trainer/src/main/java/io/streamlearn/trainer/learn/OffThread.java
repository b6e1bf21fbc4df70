package io.streamlearn.trainer.learn;

import java.util.ArrayDeque;
import java.util.Deque;
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
 * Tasks on one dedicated thread, at most {@code depth} in flight (one running, the others queued behind it), their
 * results recorded on the owner's thread in submission order: as soon as each finished (a mail through the owner's
 * executor, Flink's mailbox) or at the latest at the owner's next {@link #await}, which also rethrows a task's
 * exception. The trainer's step ({@link StepPipeline}, depth 2) and its publisher (depth 1) run this way. Not
 * thread-safe: one owner submits and awaits; a record may itself {@link #await} (the ones after it are recorded then).
 *
 * @param <T> what a task returns
 */
public final class OffThread<T> implements AutoCloseable {
    private final ExecutorService thread;
    private final Executor owner;
    private final Consumer<T> record;
    private final Function<Throwable, RuntimeException> failure;
    private final int depth;
    /** Submitted and not yet recorded, oldest first. */
    private final Deque<Future<T>> inFlight = new ArrayDeque<>();

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
        this(name, loader, owner, record, failure, 1);
    }

    /**
     * @param depth how many tasks may be in flight: at 1 {@link #submit} waits for the previous task; at 2 the
     *              next task waits in the thread's queue, and the thread starts it the moment the previous one
     *              finished, with no wake-up of either thread in between
     */
    public OffThread(String name, ClassLoader loader, Executor owner, Consumer<T> record,
            Function<Throwable, RuntimeException> failure, int depth) {
        if (depth < 1) {
            throw new IllegalArgumentException("depth " + depth + " must be at least 1");
        }
        this.depth = depth;
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

    /** Waits until fewer than depth tasks are in flight, recording the oldest; then starts {@code task} after them. */
    public void submit(Callable<T> task) {
        while (inFlight.size() >= depth) {
            awaitOldest();
        }
        FutureTask<T> f = new FutureTask<>(task) {
            @Override
            protected void done() {
                // After the result is set, so that the owner finds the task finished.
                wakeOwner();
            }
        };
        inFlight.addLast(f);
        thread.execute(f);
    }

    /** Whether no task is in flight (none submitted, or the last one recorded). */
    public boolean idle() {
        return inFlight.isEmpty();
    }

    private void wakeOwner() {
        try {
            owner.execute(this::recordIfFinished);
        } catch (RejectedExecutionException ending) {
            // The owner is shutting down: its close awaits the task and rethrows the task's exception.
        }
    }

    private void recordIfFinished() {
        while (!inFlight.isEmpty() && inFlight.peekFirst().isDone()) {
            awaitOldest();
        }
    }

    /**
     * Waits for every task in flight and records them in order; the first exception is rethrown as {@code failure}
     * made it (the tasks after it stay in flight, for the next await or close).
     */
    public void await() {
        while (!inFlight.isEmpty()) {
            awaitOldest();
        }
    }

    private void awaitOldest() {
        Future<T> f = inFlight.peekFirst();
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    // Uninterruptibly: what the task uses (native memory, a publish under way) must not be closed
                    // while it runs.
                    T result = f.get();
                    // Removed before the record, which may await the ones after it.
                    inFlight.pollFirst();
                    record.accept(result);
                    return;
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    inFlight.pollFirst();
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
     * Stops the thread after the tasks in flight, if any, finished; they are recorded and the first exception
     * rethrown, after the thread stopped. Nothing runs on the thread afterwards.
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
        // Only after a task failed are any left: the ones queued behind it never start.
        for (Future<T> left : inFlight) {
            left.cancel(false);
        }
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
        inFlight.clear();
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
