package io.streamlearn.trainer.learn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.Test;

/**
 * {@link OffThread}: tasks run on its own thread one at a time, results are recorded on the owner's thread in
 * submission order, a task's exception is rethrown to the owner, and close waits for the task in flight and stops the
 * thread so that nothing runs after it; at depth 2 a second task queues behind a running one without waiting.
 */
class OffThreadTest {
    private final ConcurrentLinkedQueue<Runnable> mailbox = new ConcurrentLinkedQueue<>();
    private final List<String> recorded = new ArrayList<>();

    private OffThread<String> offThread(String name) {
        return new OffThread<>(name, getClass().getClassLoader(), mailbox::add,
                r -> recorded.add(r + " recorded on " + Thread.currentThread().getName()),
                cause -> new IllegalStateException(name + " failed", cause));
    }

    private static boolean alive(String name) {
        return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals(name) && t.isAlive());
    }

    @Test
    void recordsResultsOnTheOwnersThreadInSubmissionOrder() {
        String owner = Thread.currentThread().getName();
        try (OffThread<String> t = offThread("off-order")) {
            t.submit(() -> "1 ran on " + Thread.currentThread().getName());
            // The finished task wakes the owner through its mailbox; running that mail records it.
            await().atMost(Duration.ofMinutes(1)).until(() -> !mailbox.isEmpty());
            mailbox.poll().run();
            assertThat(t.idle()).isTrue();
            t.submit(() -> "2 ran on " + Thread.currentThread().getName());
            t.submit(() -> "3 ran on " + Thread.currentThread().getName());
            t.await();
            // Mails of tasks already recorded find nothing to do.
            mailbox.forEach(Runnable::run);
        }
        assertThat(recorded).containsExactly("1 ran on off-order recorded on " + owner,
                "2 ran on off-order recorded on " + owner, "3 ran on off-order recorded on " + owner);
    }

    @Test
    void atDepthTwoTheNextTaskQueuesBehindARunningOneAndARecordMayAwaitTheRest() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        List<String> order = new ArrayList<>();
        OffThread<String>[] self = new OffThread[1];
        try (OffThread<String> t = new OffThread<>("off-depth", getClass().getClassLoader(), mailbox::add, r -> {
            order.add(r);
            if (r.equals("1")) {
                // A record that needs the thread idle (the trainer's drift reaction) waits for the queued task.
                self[0].await();
                order.add("after awaiting the rest");
            }
        }, cause -> new IllegalStateException("failed", cause), 2)) {
            self[0] = t;
            t.submit(() -> {
                release.await();
                return "1";
            });
            // At depth 1 this would wait for the first task, which waits for the latch below: the test would hang.
            t.submit(() -> "2");
            assertThat(order).as("nothing finished while the first task is held").isEmpty();
            release.countDown();
            t.submit(() -> "3");
            assertThat(order).as("the third submit waited for the oldest, whose record awaited the second")
                    .containsExactly("1", "2", "after awaiting the rest");
            t.await();
            mailbox.forEach(Runnable::run);
        }
        assertThat(order).containsExactly("1", "2", "after awaiting the rest", "3");
    }

    @Test
    void aTasksExceptionIsRethrownToTheOwnerWithItsCause() {
        try (OffThread<String> t = offThread("off-failing")) {
            t.submit(() -> {
                throw new ArithmeticException("boom");
            });
            assertThatThrownBy(t::await).isInstanceOf(IllegalStateException.class).hasMessage("off-failing failed")
                    .hasCauseInstanceOf(ArithmeticException.class);
            assertThat(t.idle()).isTrue();
        }
        assertThat(recorded).isEmpty();
    }

    @Test
    void closeWaitsForTheTaskInFlightRecordsItAndStopsTheThread() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Thread owner = Thread.currentThread();
        OffThread<String> t = offThread("off-closing");
        t.submit(() -> {
            release.await();
            return "slow";
        });
        Thread releaser = new Thread(() -> {
            // Released only once the owner waits in close.
            await().atMost(Duration.ofMinutes(1)).until(() -> owner.getState() == Thread.State.WAITING);
            release.countDown();
        });
        releaser.start();
        t.close();
        releaser.join();
        assertThat(recorded).containsExactly("slow recorded on " + owner.getName());
        assertThat(alive("off-closing")).isFalse();
        assertThatThrownBy(() -> t.submit(() -> "late")).isInstanceOf(RejectedExecutionException.class);
    }
}
