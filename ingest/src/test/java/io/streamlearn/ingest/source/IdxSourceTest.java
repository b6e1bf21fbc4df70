package io.streamlearn.ingest.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamlearn.core.example.Example;
import io.streamlearn.core.example.FeatureType;
import io.streamlearn.core.testkit.Prerequisites;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxSourceTest {
    @TempDir
    Path dir;

    @Test
    void readsGzippedAndPlainFilesAsUint8WithTheirLabels() throws Exception {
        for (boolean gzip : new boolean[] {true, false}) {
            Path[] files = IdxFiles.write(dir, gzip ? "gz" : "plain", 3, 2, new int[] {4, 1, 9}, gzip, 0);
            try (IdxSource s = IdxSource.open(files[0].toString())) {
                assertThat(s.sizeHint()).isEqualTo(3);
                assertThat(s.featureCount()).isEqualTo(6);
                Example first = s.next();
                assertThat(first.id()).isEqualTo((gzip ? "gz" : "plain") + "-0");
                assertThat(first.features().type()).isEqualTo(FeatureType.UINT8);
                assertThat(first.label()).isEqualTo(4);
                assertThat(s.position()).endsWith("image 0");
                Example second = s.next();
                assertThat(second.features().get(5)).isEqualTo(1f);
                assertThat(s.next().label()).isEqualTo(9);
                assertThat(s.hasNext()).isFalse();
            }
        }
    }

    @Test
    void truncatedImagesFileYieldsOneMalformedRecordWithTheBytesThatWereThere() throws Exception {
        Path[] files = IdxFiles.write(dir, "cut", 2, 2, new int[] {0, 1, 2}, true, 3);
        try (IdxSource s = new IdxSource(files[0], files[1], "cut-")) {
            assertThat(s.nextRecord().isMalformed()).isFalse();
            assertThat(s.nextRecord().isMalformed()).isFalse();
            SourceRecord cut = s.nextRecord();
            assertThat(cut.isMalformed()).isTrue();
            assertThat(cut.original()).containsExactly(2);
            assertThat(cut.problem()).contains("truncated IDX image 2: 1 of 4 bytes");
            assertThat(s.hasNext()).isFalse();
        }
    }

    @Test
    void refusesFilesThatAreNotIdxOrDoNotExistWithThePath() throws Exception {
        Path bogus = dir.resolve("x-images-idx3-ubyte");
        Files.write(bogus, new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        Files.write(dir.resolve("x-labels-idx1-ubyte"), new byte[] {0, 0, 8, 1, 0, 0, 0, 0});
        assertThatThrownBy(() -> IdxSource.open(bogus.toString())).isInstanceOf(SourceException.class)
                .hasMessageContaining("IDX magic 0x01020304, expected 0x00000803");
        assertThatThrownBy(() -> IdxSource.open(dir.resolve("nope").toString())).isInstanceOf(SourceException.class)
                .hasMessageContaining("no such file").hasMessageContaining("nope-images-idx3-ubyte");
    }

    @Test
    void readsFashionMnistTestSetByName() {
        Prerequisites.directory(IdxSource.FASHION_MNIST_DIR, "dataset-fashion-mnist");
        try (IdxSource s = IdxSource.open("fashion-mnist/t10k")) {
            assertThat(s.sizeHint()).isEqualTo(10_000);
            assertThat(s.rows()).isEqualTo(28);
            long n = 0;
            int[] perClass = new int[10];
            while (s.hasNext()) {
                perClass[s.next().label()]++;
                n++;
            }
            assertThat(n).isEqualTo(10_000);
            assertThat(perClass).containsOnly(1000);
        }
    }
}
