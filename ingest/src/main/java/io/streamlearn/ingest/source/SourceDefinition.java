package io.streamlearn.ingest.source;

import io.streamlearn.core.example.ExampleSchema;
import java.util.List;
import java.util.function.Supplier;

/**
 * A resolved {@code KIND:PATH-or-NAME}: how to open it (again, for each epoch) and what it implies about
 * the schema when the user declares none.
 *
 * @param description  e.g. "idx:fashion-mnist/train"
 * @param opener       opens a fresh source at its start
 * @param schemaHint   schema the data implies (IDX: rows x cols uint8, 10 classes), or null (jsonl)
 * @param labelClasses a CSV's categorical classes in index order, or null
 */
public record SourceDefinition(String description, Supplier<ExampleSource> opener, ExampleSchema schemaHint,
        List<String> labelClasses) {

    public SourceDefinition {
        if (description == null || opener == null) {
            throw new IllegalArgumentException("a source definition needs a description and an opener");
        }
        labelClasses = labelClasses == null ? null : List.copyOf(labelClasses);
    }

    /** Opens the source at its start. */
    public ExampleSource open() {
        return opener.get();
    }
}
