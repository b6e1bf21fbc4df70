package io.streamlearn.core.testkit;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * The one policy for what a test needs from outside the build (a Debian tool, a Python module, a data set):
 * on CI a missing one fails the test, because CI installs it (.ci/run) and a skip there would hide a broken
 * feature; elsewhere the test is skipped with the command that installs it.
 *
 * <pre>{@code
 * Path promtool = Prerequisites.tool("promtool", "prometheus");
 * Prerequisites.directory(IdxSource.FASHION_MNIST_DIR, "dataset-fashion-mnist");
 * }</pre>
 */
public final class Prerequisites {
    private Prerequisites() {}

    /**
     * Whether this run is CI's: the environment variable {@code CI} is set to anything but empty, {@code false}
     * or {@code 0} (.ci/run exports {@code CI=true}; hosted CI services set it too).
     */
    public static boolean onCi() {
        String ci = System.getenv("CI");
        return ci != null && !ci.isBlank() && !ci.equalsIgnoreCase("false") && !ci.equals("0");
    }

    /** The path of the executable {@code name} in /usr/bin or on the PATH; missing fails on CI, else skips. */
    public static Path tool(String name, String debianPackage) {
        List<Path> candidates = new ArrayList<>();
        candidates.add(Path.of("/usr/bin", name));
        String path = System.getenv("PATH");
        if (path != null) {
            for (String d : path.split(File.pathSeparator)) {
                if (!d.isEmpty()) {
                    candidates.add(Path.of(d, name));
                }
            }
        }
        for (Path p : candidates) {
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        missing(name + " not found in /usr/bin or on the PATH", debianPackage);
        return null;
    }

    /** {@code dir}, which must exist (a data set a package installs); missing fails on CI, else skips. */
    public static Path directory(Path dir, String debianPackage) {
        if (!Files.isDirectory(dir)) {
            missing(dir + " does not exist", debianPackage);
        }
        return dir;
    }

    /** Requires {@code present}, what {@code what} describes (a module of a tool, say); else fails on CI or skips. */
    public static void require(boolean present, String what, String debianPackage) {
        if (!present) {
            missing(what, debianPackage);
        }
    }

    private static void missing(String what, String debianPackage) {
        missing(what, debianPackage, onCi());
    }

    /** Fails (on CI) or skips (elsewhere) the calling test, naming what is missing and the package to install. */
    static void missing(String what, String debianPackage, boolean onCi) {
        String message = what + ": install Debian's " + debianPackage + " (apt-get install " + debianPackage
                + "), as .ci/run does";
        if (onCi) {
            Assertions.fail(message + " (CI is set: CI must run this test, not skip it)");
        }
        Assumptions.abort(message + "; skipped locally (set CI=true to fail instead)");
    }
}
