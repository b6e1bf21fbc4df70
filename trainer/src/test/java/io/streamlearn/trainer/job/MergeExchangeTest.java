package io.streamlearn.trainer.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamlearn.core.model.ModelSpec;
import io.streamlearn.trainer.learn.LearningMetrics;
import io.streamlearn.trainer.state.Contribution;
import io.streamlearn.trainer.state.TrainerState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Contributions travel through the store; a subtask that never contributes fails the wait with a clear message; merge
 * files are deleted once their checkpoint completed or their job ended.
 */
class MergeExchangeTest {
    @TempDir
    Path store;

    private static Contribution contribution(int subtask, int of, long checkpointId) {
        LearningMetrics m = new LearningMetrics(2);
        return new Contribution(subtask, of, checkpointId, 0, new String[] {"w"}, new float[][] {{subtask}}, m,
                new TrainerState(new byte[0], new byte[0], m, List.of(), 0, new byte[0], "l"), new long[0],
                new byte[0]);
    }

    @Test
    void aSubtaskThatNeverContributesFailsTheWaitNamingItAndTheTimeout() {
        // A clock that moves 40 ms each time it is read: the wait gives up after a few looks, without real waiting.
        AtomicLong now = new AtomicLong();
        MergeExchange exchange = new MergeExchange(store, "blobs", "job-1", 100,
                () -> now.getAndAdd(TimeUnit.MILLISECONDS.toNanos(40)));
        assertThatThrownBy(() -> exchange.exchange(contribution(0, 3, 5), contribution(0, 3, 5).encode()))
                .isInstanceOf(ModelMergeTimeoutException.class)
                .hasMessageContaining("merge of checkpoint 5 waited 100 ms for the contributions of subtasks [1, 2] of 3")
                .hasMessageContaining("--merge-timeout-ms")
                .satisfies(e -> assertThat(((ModelMergeTimeoutException) e).missing()).containsExactly(1, 2));
    }

    @Test
    void everySubtaskGetsAllContributionsInSubtaskOrderAndCompletedCheckpointsAreForgotten() throws Exception {
        MergeExchange exchange = new MergeExchange(store, "blobs", "job-1", 60_000);
        Files.createDirectories(exchange.directory(4));
        Files.write(exchange.directory(4).resolve("1"), contribution(1, 2, 4).encode());
        Contribution mine = contribution(0, 2, 4);
        List<Contribution> all = exchange.exchange(mine, mine.encode());
        assertThat(all).extracting(Contribution::subtask).containsExactly(0, 1);
        assertThat(all.get(1).params()[0]).containsExactly(1f);
        exchange.forgetUpTo(4);
        assertThat(exchange.directory(4)).doesNotExist();
    }

    @Test
    void theNextJobDeletesTheMergeFilesOfEndedJobsButNotOfJobsStillWritingNorItsOwn() throws Exception {
        long now = 1_000_000_000_000L;
        MergeExchange ended = new MergeExchange(store, "blobs", "job-ended", 60_000);
        MergeExchange alive = new MergeExchange(store, "blobs", "job-alive", 60_000);
        MergeExchange mine = new MergeExchange(store, "blobs", "job-new", 60_000);
        for (MergeExchange e : List.of(ended, alive, mine)) {
            Files.createDirectories(e.directory(7));
            Files.write(e.directory(7).resolve("0"), contribution(0, 2, 7).encode());
            touchTree(e.directory(7).getParent(), now - 61_000);
        }
        // The alive job wrote its last contribution within the merge timeout: a merge of it may still be waiting.
        Files.setLastModifiedTime(alive.directory(7).resolve("0"), FileTime.fromMillis(now - 59_000));
        Path otherModel = new MergeExchange(store, "other", "job-ended", 60_000).directory(7);
        Files.createDirectories(otherModel);
        touchTree(otherModel.getParent(), now - 61_000);

        assertThat(mine.removeEndedJobs(now)).isEqualTo(1);

        assertThat(ended.directory(7).getParent()).doesNotExist();
        assertThat(alive.directory(7).resolve("0")).exists();
        assertThat(mine.directory(7).resolve("0")).exists();
        assertThat(otherModel).exists();
        assertThat(mine.removeEndedJobs(now)).isZero();
    }

    @Test
    void subtaskZeroOfTheNextJobDeletesAnEndedJobsMergeFilesWhenItOpensAndOtherSubtasksLeaveThem() throws Exception {
        TrainerConfig config = TrainerConfig.builder().setBootstrapServers("127.0.0.1:9")
                .setSpec(ModelSpec.mlp("blobs", 4, 3, 16)).setStoreRoot(store.toString()).optMergeTimeoutMs(1_000)
                .build();
        Path ended = new MergeExchange(store, "blobs", "job-ended", 1_000).directory(3);
        Files.createDirectories(ended);
        touchTree(ended.getParent(), 5_000);
        LearningMetrics metrics = new LearningMetrics(3);

        DataParallel.open(1, 2, config, "blobs", "job-new", metrics, 10_000);
        assertThat(ended).exists();
        DataParallel.open(0, 2, config, "blobs", "job-new", metrics, 10_000);
        assertThat(ended.getParent()).doesNotExist();
    }

    @Test
    void removingEndedJobsWithoutAnyMergeFilesDoesNothing() {
        assertThat(new MergeExchange(store, "blobs", "job-1", 60_000).removeEndedJobs(System.currentTimeMillis()))
                .isZero();
        assertThat(store.resolve("blobs")).doesNotExist();
    }

    private static void touchTree(Path dir, long millis) throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.toList()) {
                Files.setLastModifiedTime(p, FileTime.fromMillis(millis));
            }
        }
    }
}
