package io.streamlearn.ingest.source;

import io.streamlearn.core.example.Example;
import java.util.Iterator;

/**
 * A finite or endless sequence of examples, read once in order; {@link #position()} names the last one read.
 *
 * <p>File sources also meet input they cannot parse (a broken JSON line, a truncated image): ingest reads
 * them with {@link #nextRecord()}, which hands such input over as a {@link SourceRecord#malformed malformed}
 * record with its original bytes, so it can be dead-lettered instead of lost. {@link #next()} throws
 * {@link MalformedRecordException} for it.
 */
public interface ExampleSource extends Iterator<Example>, AutoCloseable {

    /** Where the last example came from, for dead-letter records: "file.csv line 12", "synthetic #41". */
    String position();

    /** The next item as read: a parsed example or a malformed one with its original bytes. */
    default SourceRecord nextRecord() {
        Example e = next();
        return SourceRecord.parsed(e, null, null, position());
    }

    /** Records this source will yield when known in advance (an IDX header's count), else -1. */
    default long sizeHint() {
        return -1;
    }

    @Override
    default void close() {}
}
