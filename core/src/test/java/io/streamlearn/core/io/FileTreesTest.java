package io.streamlearn.core.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileTreesTest {
    @TempDir
    Path tmp;

    @Test
    void deletesADirectoryWithEverythingUnderIt() throws Exception {
        Path root = tmp.resolve("root");
        Files.createDirectories(root.resolve("a/b/c"));
        Files.writeString(root.resolve("a/one.txt"), "1");
        Files.writeString(root.resolve("a/b/c/two.txt"), "2");
        Files.createDirectories(root.resolve("empty"));

        FileTrees.deleteRecursively(root);

        assertThat(root).doesNotExist();
        assertThat(tmp).isEmptyDirectory();
    }

    @Test
    void deletesASingleFile() throws Exception {
        Path file = Files.writeString(tmp.resolve("f.txt"), "x");

        FileTrees.deleteRecursively(file);

        assertThat(file).doesNotExist();
    }

    @Test
    void aMissingOrNullRootIsNothingToDo() {
        FileTrees.deleteRecursively(tmp.resolve("never-created"));
        FileTrees.deleteRecursively(null);

        assertThat(tmp).isEmptyDirectory();
    }

    @Test
    void deletesSymbolicLinksWithoutFollowingThem() throws Exception {
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        Path kept = Files.writeString(outside.resolve("kept.txt"), "kept");
        Path root = Files.createDirectories(tmp.resolve("root"));
        Files.createSymbolicLink(root.resolve("link"), outside);

        FileTrees.deleteRecursively(root);

        assertThat(root).doesNotExist();
        assertThat(kept).hasContent("kept");
    }
}
