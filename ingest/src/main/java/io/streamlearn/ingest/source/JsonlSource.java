package io.streamlearn.ingest.source;

import io.streamlearn.core.example.CodecException;
import io.streamlearn.core.example.ContentTypes;
import io.streamlearn.core.example.Example;
import io.streamlearn.core.example.ExampleJsonCodec;
import java.io.InputStream;
import java.nio.file.Path;

/**
 * JSON Lines: one example per line in the topic's own JSON schema ({@link ExampleJsonCodec}). A line
 * that does not parse becomes a malformed record holding the line's exact bytes.
 */
public final class JsonlSource extends LookaheadSource {
    private final Path file;
    private final String name;
    private final InputStream in;
    private final Inputs.LineReader lines;
    private long lineNo;

    /** Opens {@code file} (gzipped or not); throws {@link SourceException} when it cannot be read. */
    public JsonlSource(Path file) {
        this.file = file;
        this.name = file.getFileName().toString();
        this.in = Inputs.open(file);
        this.lines = new Inputs.LineReader(in, file);
    }

    @Override
    protected SourceRecord read() {
        byte[] line = lines.readLine();
        if (line == null) {
            return null;
        }
        lineNo++;
        String position = name + " line " + lineNo;
        try {
            Example e = ExampleJsonCodec.decode(line);
            return SourceRecord.parsed(e, line, ContentTypes.JSON, position);
        } catch (CodecException | IllegalArgumentException e) {
            return SourceRecord.malformed(line, ContentTypes.JSON, position, e.getMessage());
        }
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
