package io.streamlearn.trainer.job;

import io.streamlearn.trainer.state.Contribution;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the contributions of data-parallel trainer subtasks travel while the job runs: files in the shared snapshot
 * store, {@code <store>/<model>/.merge/<jobId>/<checkpointId>/<subtask>}. Job id and checkpoint id name one attempt
 * of one merge: checkpoint ids never repeat within a job (a failed checkpoint's id is not reused after a restore) and
 * a job restored from a savepoint has a new id, so a failed attempt's files are never read into a later merge. Each
 * file is written under a temporary name and renamed in one atomic move, so a reader never sees half of one.
 */
final class MergeExchange {
    private static final Logger LOG = LoggerFactory.getLogger(MergeExchange.class);
    /** How often a waiting subtask looks for the files it misses. */
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    private final Path jobDir;
    private final String model;
    private final long timeoutMs;
    private final LongSupplier nanoTime;

    MergeExchange(Path storeRoot, String model, String jobId, long timeoutMs) {
        this(storeRoot, model, jobId, timeoutMs, System::nanoTime);
    }

    MergeExchange(Path storeRoot, String model, String jobId, long timeoutMs, LongSupplier nanoTime) {
        this.jobDir = storeRoot.resolve(model).resolve(".merge").resolve(jobId);
        this.model = model;
        this.timeoutMs = timeoutMs;
        this.nanoTime = nanoTime;
    }

    /** Where the contributions of {@code checkpointId} are. */
    Path directory(long checkpointId) {
        return jobDir.resolve(Long.toString(checkpointId));
    }

    /**
     * Offers {@code mine} (whose bytes are {@code encoded}) and returns every subtask's contribution to the same checkpoint, in subtask order.
     *
     * @throws ModelMergeTimeoutException when some did not arrive within the timeout (the message names them)
     */
    List<Contribution> exchange(Contribution mine, byte[] encoded) throws InterruptedException {
        Path dir = directory(mine.checkpointId());
        write(dir, mine.subtask(), encoded);
        long deadline = nanoTime.getAsLong() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        Contribution[] all = new Contribution[mine.subtasks()];
        all[mine.subtask()] = mine;
        while (true) {
            List<Integer> missing = new ArrayList<>();
            for (int s = 0; s < all.length; s++) {
                if (all[s] == null) {
                    all[s] = read(dir.resolve(Integer.toString(s)), mine.checkpointId());
                    if (all[s] == null) {
                        missing.add(s);
                    }
                }
            }
            if (missing.isEmpty()) {
                return List.of(all);
            }
            if (nanoTime.getAsLong() - deadline > 0) {
                throw new ModelMergeTimeoutException("trainer " + model + ": the merge of checkpoint "
                        + mine.checkpointId() + " waited " + timeoutMs + " ms for the contributions of subtasks "
                        + missing + " of " + all.length + " in " + dir + "; they are stuck or cannot write the "
                        + "shared store there (every task manager must mount the same --store); raise "
                        + "--merge-timeout-ms if their checkpoints are merely slow", missing);
            }
            LockSupport.parkNanos(POLL_NANOS);
            if (Thread.interrupted()) {
                throw new InterruptedException("trainer " + model + ": cancelled while waiting for the merge of "
                        + "checkpoint " + mine.checkpointId());
            }
        }
    }

    private static void write(Path dir, int subtask, byte[] encoded) {
        try {
            Files.createDirectories(dir);
            Path tmp = dir.resolve("." + subtask + "-" + UUID.randomUUID());
            Files.write(tmp, encoded);
            Files.move(tmp, dir.resolve(Integer.toString(subtask)), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the merge contribution of subtask " + subtask
                    + " to " + dir + ": " + e.getMessage(), e);
        }
    }

    private static Contribution read(Path file, long checkpointId) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the merge contribution " + file + ": " + e.getMessage(), e);
        }
        Contribution c = Contribution.decode(bytes);
        if (c.checkpointId() != checkpointId) {
            throw new IllegalStateException("merge contribution " + file + " is of checkpoint " + c.checkpointId()
                    + ", expected " + checkpointId + "; two jobs with the same id write this store");
        }
        return c;
    }

    /**
     * Deletes the files of checkpoints up to {@code checkpointId}: once it completed, every subtask has read them
     * (each acknowledged it only after its merge), and a restore recomputes merges from Flink's state, not from here.
     */
    void forgetUpTo(long checkpointId) {
        if (!Files.isDirectory(jobDir)) {
            return;
        }
        try (Stream<Path> dirs = Files.list(jobDir)) {
            for (Path d : dirs.toList()) {
                String name = d.getFileName().toString();
                if (name.matches("[0-9]+") && Long.parseLong(name) <= checkpointId) {
                    io.streamlearn.core.io.FileTrees.deleteRecursively(d);
                }
            }
        } catch (IOException | UncheckedIOException e) {
            // Only disk space is at stake: training goes on and the next completed checkpoint tries again.
            LOG.warn("trainer {}: could not delete the merge files of completed checkpoints in {}: {}", model, jobDir,
                    e.toString());
        }
    }
}
