package io.streamlearn.ingest.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamlearn.core.example.Example;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SyntheticClassificationTest {

    @Test
    void isDeterministicPerSeedAndCoversEveryClass() {
        List<Example> a = drain(new SyntheticClassification(10, 4, 2.0, 1, 500, "e"));
        List<Example> b = drain(new SyntheticClassification(10, 4, 2.0, 1, 500, "e"));
        assertThat(a).isEqualTo(b).hasSize(500);
        assertThat(a.stream().mapToInt(Example::label).distinct().count()).isEqualTo(4);
        assertThat(a.get(0).id()).isEqualTo("e0");
        assertThat(a.get(0).features().size()).isEqualTo(10);
    }

    @Test
    void isSeparableByNearestCentroidOfTheSameConcept() {
        SyntheticClassification train = new SyntheticClassification(8, 3, 2.0, 5, 3000, "t");
        List<Example> examples = drain(train);
        double[][] mean = new double[3][8];
        int[] count = new int[3];
        for (Example e : examples) {
            count[e.label()]++;
            for (int d = 0; d < 8; d++) {
                mean[e.label()][d] += e.features().get(d);
            }
        }
        List<Example> test = drain(train.withSampleSeed(99, 1000, "q"));
        int correct = 0;
        for (Example e : test) {
            int best = -1;
            double bestDist = Double.MAX_VALUE;
            for (int k = 0; k < 3; k++) {
                double dist = 0;
                for (int d = 0; d < 8; d++) {
                    double diff = e.features().get(d) - mean[k][d] / count[k];
                    dist += diff * diff;
                }
                if (dist < bestDist) {
                    bestDist = dist;
                    best = k;
                }
            }
            correct += best == e.label() ? 1 : 0;
        }
        assertThat(correct / 1000.0).isGreaterThan(0.95);
    }

    private static List<Example> drain(ExampleSource s) {
        List<Example> out = new ArrayList<>();
        s.forEachRemaining(out::add);
        return out;
    }
}
