package io.streamlearn.ingest.source;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Reads a source for several epochs, each in order or shuffled with seed {@code seed + epoch}, up to a limit
 * over all epochs: every record of a run, in the order it is sent. Stops early when the thread is interrupted
 * or {@code stopRequested} says so.
 */
public final class EpochReader {
    private final SourceDefinition source;
    private final int epochs;
    private final long limit;
    private final Long shuffleSeed;
    private final BooleanSupplier stopRequested;
    private volatile long expected = -1;

    /**
     * @param epochs        passes over the source, >= 1
     * @param limit         records to read at most over all epochs
     * @param shuffleSeed   null to read in order; else each epoch is buffered in memory and shuffled
     * @param stopRequested polled between epochs and while buffering an epoch to shuffle
     */
    public EpochReader(SourceDefinition source, int epochs, long limit, Long shuffleSeed,
            BooleanSupplier stopRequested) {
        if (epochs < 1 || limit < 0) {
            throw new IllegalArgumentException("epochs " + epochs + " must be >= 1 and limit " + limit + " >= 0");
        }
        this.source = source;
        this.epochs = epochs;
        this.limit = limit;
        this.shuffleSeed = shuffleSeed;
        this.stopRequested = stopRequested;
    }

    /** Records the run expects to read, known once the first epoch opened a source with a size hint; else -1. */
    public long expected() {
        return expected;
    }

    /** Hands every record of every epoch to {@code sink}, in order. */
    public void readInto(Consumer<SourceRecord> sink) {
        long taken = 0;
        for (int epoch = 0; epoch < epochs && taken < limit && !stopRequested.getAsBoolean(); epoch++) {
            try (ExampleSource src = source.open()) {
                long size = src.sizeHint();
                if (epoch == 0 && size >= 0) {
                    expected = size > Long.MAX_VALUE / epochs ? limit : Math.min(limit, size * epochs);
                }
                Iterator<SourceRecord> records = shuffleSeed == null ? inOrder(src)
                        : shuffled(src, shuffleSeed + epoch);
                while (taken < limit && records.hasNext()) {
                    if (Thread.currentThread().isInterrupted()) {
                        return;
                    }
                    sink.accept(records.next());
                    taken++;
                }
            }
        }
    }

    private static Iterator<SourceRecord> inOrder(ExampleSource src) {
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return src.hasNext();
            }

            @Override
            public SourceRecord next() {
                return src.nextRecord();
            }
        };
    }

    private Iterator<SourceRecord> shuffled(ExampleSource src, long seed) {
        List<SourceRecord> all = new ArrayList<>();
        while (src.hasNext() && !stopRequested.getAsBoolean()) {
            all.add(src.nextRecord());
        }
        // Fisher-Yates with a seeded generator, so a seed names one order on every JVM.
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = all.size() - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            SourceRecord t = all.get(i);
            all.set(i, all.get(j));
            all.set(j, t);
        }
        return all.iterator();
    }
}
