package io.streamlearn.trainer.job;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * The next offset to read per partition of the examples topic, as far as the trainer has taken examples in. Kept in a
 * primitive array indexed by partition because {@link #advance} runs once per example on the task thread: a boxed map
 * there allocated two objects per record.
 */
final class SourceOffsets {
    private static final long NONE = -1;
    private long[] next = new long[0];

    /** The example at {@code offset} of {@code partition} was taken in: the next offset there is past it. */
    void advance(int partition, long offset) {
        include(partition, offset + 1);
    }

    /** Raises {@code partition}'s next offset to {@code nextOffset} when that is further. */
    void include(int partition, long nextOffset) {
        if (partition >= next.length) {
            int old = next.length;
            next = Arrays.copyOf(next, Math.max(partition + 1, 2 * old));
            Arrays.fill(next, old, next.length, NONE);
        }
        next[partition] = Math.max(next[partition], nextOffset);
    }

    /** Every partition of {@code offsets} (partition → next offset), each raised to what it says. */
    void includeAll(Map<Integer, Long> offsets) {
        offsets.forEach(this::include);
    }

    /** {@code [partition, next, partition, next, ...]}: the operator-state form (restores older checkpoints too). */
    long[] toPairs() {
        long[] pairs = new long[2 * count()];
        int i = 0;
        for (int p = 0; p < next.length; p++) {
            if (next[p] != NONE) {
                pairs[i++] = p;
                pairs[i++] = next[p];
            }
        }
        return pairs;
    }

    /** Includes the pairs of {@link #toPairs}. */
    void includePairs(long[] pairs) {
        for (int i = 0; i + 1 < pairs.length; i += 2) {
            include((int) pairs[i], pairs[i + 1]);
        }
    }

    /** Partition → next offset, in partition order, as the manifest records it. */
    TreeMap<Integer, Long> toMap() {
        TreeMap<Integer, Long> out = new TreeMap<>();
        for (int p = 0; p < next.length; p++) {
            if (next[p] != NONE) {
                out.put(p, next[p]);
            }
        }
        return out;
    }

    private int count() {
        int n = 0;
        for (long o : next) {
            n += o != NONE ? 1 : 0;
        }
        return n;
    }
}
