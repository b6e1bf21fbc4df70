package io.streamlearn.core.testkit;

import io.streamlearn.core.broker.KraftNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A test CA and a broker key signed by it, made with the JDK's {@code keytool} into PKCS#12 stores, for a
 * {@link io.streamlearn.core.broker.BrokerSecurity secured broker}: nothing checked in, nothing that expires
 * between runs.
 *
 * <pre>{@code
 * TestCertificates certs = TestCertificates.generate(tempDir, "changeit-123");
 * BrokerSecurity security = new BrokerSecurity(certs.keystore(), certs.truststore(), certs.password(), "admin",
 *         Map.of("admin", "admin-secret"));
 * }</pre>
 *
 * @param keystore the broker's key and its chain (CA-signed, SAN {@code IP:127.0.0.1})
 * @param truststore the CA certificate alone, for clients and the broker
 * @param password of both stores and of the keys
 */
public record TestCertificates(Path keystore, Path truststore, String password) {
    private static final long KEYTOOL_TIMEOUT_SECONDS = 60;

    /** Generates the CA, the broker key and both stores in {@code dir}. */
    public static TestCertificates generate(Path dir, String password) {
        Path ca = dir.resolve("ca.p12");
        Path caCert = dir.resolve("ca.pem");
        Path keystore = dir.resolve("broker.p12");
        Path request = dir.resolve("broker.csr");
        Path signed = dir.resolve("broker.pem");
        Path truststore = dir.resolve("truststore.p12");
        String store = "-storetype PKCS12 -storepass " + password + " -keypass " + password;
        keytool("-genkeypair -alias ca -keyalg EC -groupname secp256r1 -validity 2 -dname CN=streamlearn-test-ca "
                + "-ext bc:c -keystore " + ca + " " + store);
        keytool("-exportcert -rfc -alias ca -keystore " + ca + " -file " + caCert + " " + store);
        keytool("-genkeypair -alias broker -keyalg EC -groupname secp256r1 -validity 2 -dname CN=" + KraftNode.HOST
                + " -keystore " + keystore + " " + store);
        keytool("-certreq -alias broker -keystore " + keystore + " -file " + request + " " + store);
        // Clients verify the host name (ssl.endpoint.identification.algorithm=https): the SAN must name the address.
        keytool("-gencert -alias ca -keystore " + ca + " -infile " + request + " -outfile " + signed
                + " -rfc -validity 2 -ext san=ip:" + KraftNode.HOST + " -ext eku=serverAuth,clientAuth " + store);
        keytool("-importcert -noprompt -alias ca -file " + caCert + " -keystore " + keystore + " " + store);
        keytool("-importcert -noprompt -alias broker -file " + signed + " -keystore " + keystore + " " + store);
        keytool("-importcert -noprompt -alias ca -file " + caCert + " -keystore " + truststore + " " + store);
        return new TestCertificates(keystore, truststore, password);
    }

    private static void keytool(String args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        // Paths of temporary directories have no spaces; the arguments above are built for this split.
        command.addAll(List.of(args.split(" ")));
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(KEYTOOL_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("keytool " + command.get(1) + " did not finish in "
                        + KEYTOOL_TIMEOUT_SECONDS + " s");
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException("keytool " + command.get(1) + " failed with " + p.exitValue() + ": "
                        + new String(out, StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run keytool from " + System.getProperty("java.home"), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running keytool", e);
        }
    }
}
