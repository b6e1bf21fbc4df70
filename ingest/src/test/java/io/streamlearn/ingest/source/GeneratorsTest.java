package io.streamlearn.ingest.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamlearn.core.example.Example;
import io.streamlearn.core.example.Features;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GeneratorsTest {
    @TempDir
    Path dir;

    @Test
    void everyGeneratorIsDeterministicPerSeed() {
        for (String kind : List.of("classification", "hyperplane", "sea", "rbf")) {
            SourceDefinition d = Sources.resolve("synthetic:" + kind, SourceOptions.builder().optSeed(7).optLength(200).build());
            assertThat(drain(d.open())).as(kind).isEqualTo(drain(d.open())).hasSize(200);
        }
    }

    @Test
    void seaChangesItsThresholdAbruptlyEveryConcept() {
        SeaStream sea = new SeaStream(1000, 0.0, 3, 4000, "s-");
        List<Example> all = drain(sea);
        for (int i = 0; i < all.size(); i++) {
            Example e = all.get(i);
            double theta = SeaStream.THRESHOLDS[i / 1000];
            assertThat(e.label()).isEqualTo(e.features().get(0) + e.features().get(1) <= theta ? 1 : 0);
        }
        assertThat(sea.concept(999)).isZero();
        assertThat(sea.concept(1000)).isEqualTo(1);
    }

    @Test
    void hyperplaneWeightsDriftGradually() {
        HyperplaneStream h = new HyperplaneStream(4, 2, 0.01, 0.0, 5, Long.MAX_VALUE, "h-");
        double w0 = h.weight(0);
        double w3 = h.weight(3);
        h.next();
        assertThat(Math.abs(h.weight(0) - w0)).isCloseTo(0.01, org.assertj.core.data.Offset.offset(1e-12));
        for (int i = 0; i < 99; i++) {
            h.next();
        }
        assertThat(h.weight(0)).isNotEqualTo(w0);
        assertThat(h.weight(3)).isEqualTo(w3);
    }

    @Test
    void rbfCentroidsMoveAndStayInTheUnitCube() {
        RbfStream r = new RbfStream(3, 2, 10, 0.05, 1, Long.MAX_VALUE, "r-");
        double c0 = r.centre(0, 0);
        for (int i = 0; i < 500; i++) {
            Example e = r.next();
            assertThat(e.label()).isBetween(0, 1);
        }
        assertThat(r.centre(0, 0)).isNotEqualTo(c0).isBetween(0.0, 1.0);
    }

    @Test
    void fashionDriftPermutesLabelsOrRotatesImagesFromTheGivenPosition() throws Exception {
        int[] labels = {0, 1, 2, 3, 4, 5};
        Path[] files = IdxFiles.write(dir, "f", 2, 2, labels, false, 0);
        String data = files[0] + "," + files[1];
        SourceOptions permute = SourceOptions.builder().optIdxData(data).optDriftAt(3).optSeed(9).build();
        List<Example> p = drain(Sources.resolve("synthetic:fashion-drift", permute).open());
        FashionDrift probe = new FashionDrift(IdxSource.open(data), 3, FashionDrift.Kind.PERMUTE, 10, 9);
        probe.close();
        for (int i = 0; i < 6; i++) {
            assertThat(p.get(i).label()).isEqualTo(i < 3 ? i : probe.permuted(i));
            assertThat(p.get(i).id()).isEqualTo("f-" + i + (i < 3 ? "" : "-d"));
        }
        for (int c = 0; c < 10; c++) {
            assertThat(probe.permuted(c)).as("derangement moves class " + c).isNotEqualTo(c);
        }
        assertThat(FashionDrift.rotate(new byte[] {1, 2, 3, 4}, 2)).containsExactly(3, 1, 4, 2);
        SourceOptions rotate = SourceOptions.builder().optIdxData(data).optDriftAt(0)
                .optDriftKind(FashionDrift.Kind.ROTATE).build();
        Example r = drain(Sources.resolve("synthetic:fashion-drift", rotate).open()).get(2);
        assertThat(r.label()).isEqualTo(2);
        assertThat(((Features.Uint8) r.features()).values()).containsExactly(2, 2, 2, 2);
    }

    static List<Example> drain(ExampleSource s) {
        List<Example> out = new ArrayList<>();
        try (s) {
            s.forEachRemaining(out::add);
        }
        return out;
    }
}
