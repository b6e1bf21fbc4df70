package io.streamlearn.ingest.source;

import io.streamlearn.core.example.Example;
import java.util.Iterator;

/** A finite or endless sequence of examples, read once in order; {@link #position()} names the last one read. */
public interface ExampleSource extends Iterator<Example>, AutoCloseable {

    /** Where the last example came from, for dead-letter records: "file.csv line 12", "synthetic #41". */
    String position();

    @Override
    default void close() {}
}
