package io.streamlearn.ingest.source;

import io.streamlearn.core.example.Example;
import java.util.NoSuchElementException;

/** Base of the file sources: one record of lookahead, so {@link #hasNext()} can read and answer honestly. */
abstract class LookaheadSource implements ExampleSource {
    private SourceRecord pending;
    private boolean done;
    private String position = "(nothing read yet)";

    /** Reads the next record, or returns null at the end of the input. */
    protected abstract SourceRecord read();

    @Override
    public final boolean hasNext() {
        if (pending == null && !done) {
            pending = read();
            done = pending == null;
        }
        return pending != null;
    }

    @Override
    public final SourceRecord nextRecord() {
        if (!hasNext()) {
            throw new NoSuchElementException("source exhausted after " + position);
        }
        SourceRecord r = pending;
        pending = null;
        position = r.position();
        return r;
    }

    @Override
    public final Example next() {
        SourceRecord r = nextRecord();
        if (r.isMalformed()) {
            throw new MalformedRecordException(r);
        }
        return r.example();
    }

    @Override
    public final String position() {
        return position;
    }
}
