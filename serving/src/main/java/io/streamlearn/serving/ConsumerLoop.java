package io.streamlearn.serving;

import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;

/**
 * One service thread's loop over its own Kafka consumer, stopped from another thread: {@link #stop()} ends it at its
 * next check of {@link #running()} and wakes a poll in progress; a wakeup that nobody asked for propagates.
 */
public abstract class ConsumerLoop implements Runnable {
    private volatile boolean running = true;
    // Set while the loop's thread holds the consumer, so stop() can wake it; the consumer itself is not thread-safe.
    private volatile KafkaConsumer<byte[], byte[]> consumer;

    /** Creates the loop's consumer, on the loop's thread; the loop closes it. */
    protected abstract KafkaConsumer<byte[], byte[]> openConsumer();

    /** Consumes with {@code c} until {@link #running()} turns false. */
    protected abstract void consume(KafkaConsumer<byte[], byte[]> c);

    /** False once {@link #stop()} was called. */
    protected final boolean running() {
        return running;
    }

    @Override
    public final void run() {
        KafkaConsumer<byte[], byte[]> c = openConsumer();
        try {
            consumer = c;
            // Stopped while the consumer was being created: its wakeup found nothing to wake.
            if (!running) {
                return;
            }
            consume(c);
        } catch (WakeupException e) {
            if (running) {
                throw e;
            }
        } finally {
            consumer = null;
            // A static member (group.instance.id) stays in its group on a plain close, holding its partitions until
            // the session timeout; a loop that ends leaves, so its partitions move at once. Only a crash keeps them
            // for a replacement with the same id.
            c.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
        }
    }

    /** Ends the loop: at once when it is polling, else at its next check. Safe from any thread. */
    public void stop() {
        running = false;
        KafkaConsumer<byte[], byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
    }
}
