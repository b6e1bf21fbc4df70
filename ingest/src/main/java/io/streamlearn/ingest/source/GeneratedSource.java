package io.streamlearn.ingest.source;

import io.streamlearn.core.example.Example;
import java.util.NoSuchElementException;

/** Base of the seeded generators: ids {@code prefix + index}, a limit, and the position "NAME #index". */
abstract class GeneratedSource implements ExampleSource {
    private final String name;
    private final long limit;
    private final String idPrefix;
    private long index;

    GeneratedSource(String name, long limit, String idPrefix) {
        if (limit < 0) {
            throw new IllegalArgumentException(name + ": limit " + limit + " must be >= 0");
        }
        this.name = name;
        this.limit = limit;
        this.idPrefix = idPrefix;
    }

    /** Generates example number {@code index} with the given id. */
    protected abstract Example generate(long index, String id);

    @Override
    public final boolean hasNext() {
        return index < limit;
    }

    @Override
    public final Example next() {
        if (!hasNext()) {
            throw new NoSuchElementException(name + " exhausted after " + limit + " examples");
        }
        long i = index++;
        return generate(i, idPrefix + i);
    }

    @Override
    public final String position() {
        return name + " #" + (index - 1);
    }

    @Override
    public long sizeHint() {
        return limit == Long.MAX_VALUE ? -1 : limit;
    }
}
