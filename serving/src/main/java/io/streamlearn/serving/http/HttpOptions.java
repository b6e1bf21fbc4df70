package io.streamlearn.serving.http;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Who may call the HTTP endpoint and how it is reached: a bearer-token file, a PKCS#12 keystore with its password
 * file for TLS, and whether {@code /healthz} and {@code /readyz} stay open without the token.
 *
 * @param tokenFile file holding the bearer token every request must carry, or null for none
 * @param keystore PKCS#12 keystore with the server's key and certificate (serve HTTPS), or null for plain HTTP
 * @param keystorePasswordFile file holding the keystore's password; required with {@code keystore}
 * @param openHealth whether health and readiness answer without the token (probes that cannot send one)
 */
public record HttpOptions(Path tokenFile, Path keystore, Path keystorePasswordFile, boolean openHealth) {
    /** No token, no TLS. */
    public static final HttpOptions NONE = new HttpOptions(null, null, null, false);

    /** Refuses a keystore without its password file and the reverse: each is useless alone. */
    public HttpOptions {
        if ((keystore == null) != (keystorePasswordFile == null)) {
            throw new IllegalArgumentException("TLS needs both --http-keystore and --http-keystore-password-file; "
                    + "got only " + (keystore != null ? "the keystore " + keystore : "the password file "
                    + keystorePasswordFile));
        }
    }

    /** Whether the endpoint serves HTTPS. */
    public boolean tls() {
        return keystore != null;
    }

    /** The bearer token's bytes (the file's first line, trimmed), or null when no token file is set. */
    byte[] token() {
        if (tokenFile == null) {
            return null;
        }
        String token = firstLine(tokenFile, "--http-token-file");
        if (token.length() < 16 || !token.chars().allMatch(c -> c > 32 && c < 127)) {
            throw new IllegalArgumentException("the bearer token in " + tokenFile + " (--http-token-file) must be at "
                    + "least 16 printable ASCII characters without spaces, e.g. from `openssl rand -hex 32`");
        }
        return token.getBytes(StandardCharsets.US_ASCII);
    }

    /** The keystore password (the file's first line, trimmed). */
    char[] keystorePassword() {
        return firstLine(keystorePasswordFile, "--http-keystore-password-file").toCharArray();
    }

    private static String firstLine(Path file, String option) {
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            int end = text.indexOf('\n');
            String line = (end < 0 ? text : text.substring(0, end)).trim();
            if (line.isEmpty()) {
                throw new IllegalArgumentException(file + " (" + option + ") is empty: write the secret on its "
                        + "first line");
            }
            return line;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + " (" + option + "): " + e.getMessage()
                    + "; check the path and that this user may read it", e);
        }
    }
}
