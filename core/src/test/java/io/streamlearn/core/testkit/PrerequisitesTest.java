package io.streamlearn.core.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

class PrerequisitesTest {
    @Test
    void aMissingToolFailsTheTestOnCi() {
        assertThatThrownBy(() -> Prerequisites.missing("kcat not found", "kcat", true))
                .isInstanceOf(AssertionFailedError.class)
                .hasMessageContaining("kcat not found: install Debian's kcat (apt-get install kcat)")
                .hasMessageContaining("CI must run this test, not skip it");
    }

    @Test
    void aMissingToolSkipsTheTestElsewhereWithTheInstallHint() {
        assertThatThrownBy(() -> Prerequisites.missing("kcat not found", "kcat", false))
                .isInstanceOf(TestAbortedException.class)
                .hasMessageContaining("apt-get install kcat")
                .hasMessageContaining("set CI=true to fail instead");
    }

    @Test
    void findsAToolThatIsThere() {
        // sh is on every machine this builds on; the lookup must return its executable path.
        assertThat(Prerequisites.tool("sh", "dash")).isNotNull().satisfies(p -> assertThat(p.toFile()).canRead());
        assertThat(Prerequisites.directory(Path.of("/"), "base-files")).isEqualTo(Path.of("/"));
    }
}
