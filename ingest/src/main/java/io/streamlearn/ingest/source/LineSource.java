package io.streamlearn.ingest.source;

import java.io.InputStream;
import java.nio.file.Path;

/**
 * Base of the sources that read a text file one record per line: owns the stream and numbers the lines, so
 * every record's position reads {@code "<file> line <n>"} the same way whatever the format.
 */
abstract class LineSource extends LookaheadSource {
    private final Path file;
    private final String name;
    private InputStream in;
    private Inputs.LineReader lines;
    private long lineNo;

    LineSource(Path file) {
        this.file = file;
        this.name = file.getFileName().toString();
    }

    /**
     * Opens the file and skips {@code headerLines}; a subclass calls it last in its constructor, once its own
     * checks have passed, so a constructor that throws leaves no stream open.
     */
    protected final void open(int headerLines) {
        this.in = Inputs.open(file);
        this.lines = new Inputs.LineReader(in, file);
        for (int i = 0; i < headerLines && lines.readLine() != null; i++) {
            lineNo++;
        }
    }

    /** The record in {@code line}, the file's line number {@code lineNo} (1 for the first) at {@code position}. */
    protected abstract SourceRecord parse(byte[] line, long lineNo, String position);

    @Override
    protected final SourceRecord read() {
        byte[] line = lines.readLine();
        if (line == null) {
            return null;
        }
        lineNo++;
        return parse(line, lineNo, name + " line " + lineNo);
    }

    /** The file this source reads. */
    public Path file() {
        return file;
    }

    @Override
    public void close() {
        Inputs.closeQuietly(in);
    }
}
