package io.streamlearn.serving.kafka;

import java.util.function.Consumer;

/**
 * The request loop's second thread: delivers one scored {@link RequestBatch} at a time (answers sent and
 * acknowledged, or committed in a transaction) while the loop polls and scores the next. A hand-off of depth one: the
 * loop takes the delivered batch back before it hands the next, so at most two batches are in the process, answers
 * leave in the order the requests were polled, and the loop alone touches the consumer (commits, seeks).
 */
final class AnswerSender implements AutoCloseable {
    private final Consumer<RequestBatch> deliver;
    private final Thread thread;
    // Guarded by this: the batch handed and not yet delivered, the one delivered and not yet taken back.
    private RequestBatch handed;
    private RequestBatch delivered;
    private Throwable fatal;
    private boolean closed;

    /** A sender whose thread, named {@code threadName}, runs {@code deliver} on each batch handed to it. */
    AnswerSender(String threadName, Consumer<RequestBatch> deliver) {
        this.deliver = deliver;
        this.thread = new Thread(this::run, threadName);
        thread.setDaemon(true);
        thread.start();
    }

    /** Gives {@code b} to the sender; the previous batch must have been taken back ({@link #awaitDelivered()}). */
    synchronized void hand(RequestBatch b) {
        if (handed != null || delivered != null) {
            throw new IllegalStateException("a batch is still out: take it back before handing the next");
        }
        checkFatal();
        handed = b;
        notifyAll();
    }

    /**
     * The batch handed last, once delivered, or null when none is out; waits for its delivery (bounded by the
     * producer's own timeouts). Throws what made a delivery impossible to go on from.
     */
    synchronized RequestBatch awaitDelivered() {
        boolean interrupted = false;
        // An interrupt must not leave a batch half-delivered behind the loop's back: wait it out, then restore it.
        while (handed != null) {
            try {
                wait();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        checkFatal();
        RequestBatch d = delivered;
        delivered = null;
        return d;
    }

    /** The batch handed last if it is delivered already, else null (it stays out); never waits. */
    synchronized RequestBatch takeDelivered() {
        checkFatal();
        if (handed != null) {
            return null;
        }
        RequestBatch d = delivered;
        delivered = null;
        return d;
    }

    /** Stops the thread once the batch it holds is delivered. */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            notifyAll();
        }
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Throws a delivery's fatal error once: the loop ends on it, and its close must not fail on it again. */
    private void checkFatal() {
        Throwable f = fatal;
        if (f == null) {
            return;
        }
        fatal = null;
        if (f instanceof RuntimeException e) {
            throw e;
        }
        if (f instanceof Error e) {
            throw e;
        }
        throw new IllegalStateException("delivering answers failed: " + f, f);
    }

    private void run() {
        while (true) {
            RequestBatch b;
            synchronized (this) {
                while (handed == null && !closed) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        return; // nobody interrupts this thread but the JVM's end
                    }
                }
                if (handed == null) {
                    return;
                }
                b = handed;
            }
            Throwable failure = null;
            try {
                deliver.accept(b);
            } catch (Throwable e) {
                failure = e;
            }
            synchronized (this) {
                handed = null;
                // A batch whose delivery failed fatally is neither committed nor answered again here: the loop stops.
                delivered = failure == null ? b : null;
                if (failure != null) {
                    fatal = failure;
                }
                notifyAll();
            }
        }
    }
}
