package io.streamlearn.serving.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The depth-one hand-off between the request loop and its answer thread. */
class AnswerSenderTest {
    @Test
    void deliversEachBatchOnItsOwnThreadInTheOrderHandedAndGivesItBackOnce() {
        List<RequestBatch> delivered = new ArrayList<>();
        List<String> threads = new ArrayList<>();
        RequestBatch first = new RequestBatch();
        RequestBatch second = new RequestBatch();
        try (AnswerSender sender = new AnswerSender("answers-test", b -> {
            delivered.add(b);
            threads.add(Thread.currentThread().getName());
        })) {
            assertThat(sender.awaitDelivered()).as("nothing out").isNull();
            sender.hand(first);
            assertThat(sender.awaitDelivered()).isSameAs(first);
            assertThat(sender.takeDelivered()).as("given back once").isNull();
            sender.hand(second);
            assertThat(sender.awaitDelivered()).isSameAs(second);
        }
        assertThat(delivered).containsExactly(first, second);
        assertThat(threads).containsOnly("answers-test");
    }

    @Test
    void refusesANewBatchWhileTheLastIsStillOut() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (AnswerSender sender = new AnswerSender("answers-test", b -> {
            try {
                release.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        })) {
            RequestBatch out = new RequestBatch();
            sender.hand(out);
            assertThat(sender.takeDelivered()).as("still being delivered").isNull();
            assertThatThrownBy(() -> sender.hand(new RequestBatch())).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("take it back");
            release.countDown();
            assertThat(sender.awaitDelivered()).isSameAs(out);
        }
    }

    @Test
    void reportsAFatalDeliveryOnceAndNeverGivesItsBatchBackForACommit() {
        try (AnswerSender sender = new AnswerSender("answers-test", b -> {
            throw new IllegalStateException("fenced");
        })) {
            sender.hand(new RequestBatch());
            assertThatThrownBy(sender::awaitDelivered).isInstanceOf(IllegalStateException.class)
                    .hasMessage("fenced");
            // The loop's shutdown drains again: the failure must not fail it a second time, nor commit the batch.
            assertThat(sender.awaitDelivered()).isNull();
        }
    }
}
