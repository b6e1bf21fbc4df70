package io.streamlearn.ingest.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamlearn.core.example.Example;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvSourceTest {
    @TempDir
    Path dir;

    @Test
    void mapsACategoricalLabelToSortedClassIndicesAndRecordsTheMapping() throws Exception {
        Path csv = dir.resolve("iris.csv");
        Files.writeString(csv, "id,sepal,petal,species\n"
                + "a,5.1,1.4,setosa\n"
                + "b,7.0,4.7,versicolor\n"
                + "c,\"6.3\",6.0,virginica\n"
                + "d,4.9,1.5,setosa\n");
        Path map = dir.resolve("iris.labels.json");
        CsvSource.Columns cols = new CsvSource.Columns("species", null, "id", map);
        try (CsvSource s = new CsvSource(csv, cols)) {
            assertThat(s.labelClasses()).containsExactly("setosa", "versicolor", "virginica");
            assertThat(s.featureNames()).containsExactly("sepal", "petal");
            Example a = s.next();
            assertThat(a.id()).isEqualTo("a");
            assertThat(a.label()).isZero();
            assertThat(a.features().get(1)).isEqualTo(1.4f);
            assertThat(s.next().label()).isEqualTo(1);
            assertThat(s.next().label()).isEqualTo(2);
            assertThat(s.position()).isEqualTo("iris.csv line 4");
        }
        assertThat(Files.readString(map)).contains("\"classes\"", "setosa", "virginica");

        // A later file with only some classes reuses the recorded indices.
        Path test = dir.resolve("iris-test.csv");
        Files.writeString(test, "id,sepal,petal,species\nz,6.0,5.0,virginica\n");
        try (CsvSource s = new CsvSource(test, cols)) {
            assertThat(s.next().label()).isEqualTo(2);
        }
    }

    @Test
    void usesIntegerLabelsAsIndicesAndRejectsNonNumericFeaturesAsMalformed() throws Exception {
        Path csv = dir.resolve("n.csv");
        Files.writeString(csv, "x1,x2,y\n1,2,0\nabc,2,1\n3,4\n\n5,6,3\n");
        try (CsvSource s = new CsvSource(csv, new CsvSource.Columns("y", List.of("x2", "x1"), null, null))) {
            assertThat(s.classCountHint()).isEqualTo(4);
            Example first = s.next();
            assertThat(first.id()).isEqualTo("n-2");
            assertThat(first.features().get(0)).isEqualTo(2f);
            SourceRecord bad = s.nextRecord();
            assertThat(bad.problem()).isEqualTo("csv column 'x1' is 'abc', expected a number");
            assertThat(new String(bad.original())).isEqualTo("abc,2,1");
            assertThat(s.nextRecord().problem()).contains("2 columns, the header has 3");
            assertThat(s.nextRecord().problem()).isEqualTo("empty record");
            assertThat(s.next().label()).isEqualTo(3);
            assertThat(s.hasNext()).isFalse();
        }
    }

    @Test
    void readsARegressionTargetColumnAndRejectsATargetThatIsNotANumber() throws Exception {
        Path csv = dir.resolve("r.csv");
        Files.writeString(csv, "id,x1,x2,y\na,1,2,1.5\nb,3,4,high\nc,5,6,-2e3\nd,7,8,NaN\n");
        try (CsvSource s = new CsvSource(csv, new CsvSource.Columns(null, null, "id", null, "y"))) {
            assertThat(s.hasTarget()).isTrue();
            assertThat(s.featureNames()).containsExactly("x1", "x2");
            Example first = s.next();
            assertThat(first.target()).containsExactly(1.5f);
            assertThat(first.hasLabel()).isFalse();
            assertThat(s.nextRecord().problem()).isEqualTo("csv target 'high' is not a finite number");
            assertThat(s.next().target()).containsExactly(-2000f);
            assertThat(s.nextRecord().problem()).isEqualTo("csv target 'NaN' is not a finite number");
            assertThat(s.hasNext()).isFalse();
        }
        SourceDefinition d = Sources.resolve("csv:" + csv, SourceOptions.builder().optTargetColumn("y")
                .optIdColumn("id").build());
        assertThat(d.schemaHint().targets()).isEqualTo(1);
        assertThat(d.schemaHint().featureCount()).isEqualTo(2);
        assertThatThrownBy(() -> new CsvSource.Columns("y", null, null, null, "y"))
                .hasMessageContaining("--label COLUMN) or, for a regression model, the target column");
    }

    @Test
    void namesAMissingColumnAndTheHeader() throws Exception {
        Path csv = dir.resolve("h.csv");
        Files.writeString(csv, "a,b\n1,2\n");
        assertThatThrownBy(() -> new CsvSource(csv, new CsvSource.Columns("label", null, null, null)))
                .isInstanceOf(SourceException.class).hasMessageContaining("no column 'label' (--label); header is [a, b]");
    }
}
