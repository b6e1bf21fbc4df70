package io.streamlearn.ingest.source;

/** {@link ExampleSource#next()} met input it cannot parse; {@link ExampleSource#nextRecord()} returns it instead. */
public class MalformedRecordException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public MalformedRecordException(SourceRecord record) {
        super(record.position() + ": " + record.problem());
    }
}
