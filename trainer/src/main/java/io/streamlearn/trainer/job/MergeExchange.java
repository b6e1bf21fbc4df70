package io.streamlearn.trainer.job;

import io.streamlearn.core.io.FileTrees;
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
 * Files of completed checkpoints are deleted when they complete ({@link #forgetUpTo}); those a job left when it ended
 * (its last, never completed checkpoint) by the next job of the model ({@link #removeEndedJobs}).
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
     * Deletes the merge files that other jobs of this model left behind, once nothing was written to them for longer
     * than the merge timeout: a running job writes a contribution at every checkpoint and none of its merges waits
     * longer than that, so such a directory belongs to a job that ended (cancelled, failed for good, or replaced by
     * one restored from a savepoint, which has a new job id). A running job whose checkpoints are further apart than
     * the timeout loses only files it no longer reads: its next merge creates the directory again. Returns how many
     * job directories it deleted; a failure to delete is logged (only disk space is at stake).
     *
     * @param nowMs the wall-clock time, comparable with file modification times
     */
    int removeEndedJobs(long nowMs) {
        Path merges = jobDir.getParent();
        if (!Files.isDirectory(merges)) {
            return 0;
        }
        int removed = 0;
        try (Stream<Path> jobs = Files.list(merges)) {
            for (Path other : jobs.filter(d -> !d.equals(jobDir) && Files.isDirectory(d)).toList()) {
                if (nowMs - lastWrittenMs(other) > timeoutMs) {
                    FileTrees.deleteRecursively(other);
                    removed++;
                }
            }
        } catch (IOException | UncheckedIOException e) {
            LOG.warn("trainer {}: could not delete the merge files of ended jobs in {}: {}", model, merges,
                    e.toString());
        }
        if (removed > 0) {
            LOG.info("trainer {}: deleted the merge files of {} ended jobs in {}", model, removed, merges);
        }
        return removed;
    }

    /** The newest modification time of {@code dir} and everything in it. */
    private static long lastWrittenMs(Path dir) throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            long newest = Long.MIN_VALUE;
            for (Path p : all.toList()) {
                try {
                    newest = Math.max(newest, Files.getLastModifiedTime(p).toMillis());
                } catch (NoSuchFileException e) {
                    // Deleted while we looked (the job's own forgetUpTo): it was written recently enough to be alive.
                    return Long.MAX_VALUE;
                }
            }
            return newest;
        }
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
                    FileTrees.deleteRecursively(d);
                }
            }
        } catch (IOException | UncheckedIOException e) {
            // Only disk space is at stake: training goes on and the next completed checkpoint tries again.
            LOG.warn("trainer {}: could not delete the merge files of completed checkpoints in {}: {}", model, jobDir,
                    e.toString());
        }
    }
}
