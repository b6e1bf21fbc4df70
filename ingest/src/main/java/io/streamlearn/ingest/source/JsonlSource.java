package io.streamlearn.ingest.source;

import io.streamlearn.core.example.CodecException;
import io.streamlearn.core.example.ContentTypes;
import io.streamlearn.core.example.Example;
import io.streamlearn.core.example.ExampleJsonCodec;
import java.nio.file.Path;

/**
 * JSON Lines: one example per line in the topic's own JSON schema ({@link ExampleJsonCodec}). A line
 * that does not parse becomes a malformed record holding the line's exact bytes.
 */
public final class JsonlSource extends LineSource {

    /** Opens {@code file} (gzipped or not); throws {@link SourceException} when it cannot be read. */
    public JsonlSource(Path file) {
        super(file);
        open(0);
    }

    @Override
    protected SourceRecord parse(byte[] line, long lineNo, String position) {
        try {
            Example e = ExampleJsonCodec.decode(line);
            return SourceRecord.parsed(e, line, ContentTypes.JSON, position);
        } catch (CodecException | IllegalArgumentException e) {
            return SourceRecord.malformed(line, ContentTypes.JSON, position, e.getMessage());
        }
    }
}
