package io.streamlearn.core.config;

import java.nio.file.Path;

/** Settings several commands share with one meaning: the snapshot store, the model name, the model spec. */
public final class CommonSettings {
    /** Where the shared snapshot store lives by default, relative to the working directory. */
    public static final String DEFAULT_STORE = "streamlearn-data/snapshots";

    public static final Setting<Path> STORE = Setting.of("store", Type.PATH).withLabel("DIR")
            .withDefault(Path.of(DEFAULT_STORE)).withDoc("Snapshot store directory.");
    /** The trainer's and {@code models promote}'s: defined once, since both publish manifests serving may verify. */
    public static final Setting<Path> SIGNING_KEY_FILE = Setting.of("signing-key-file", Type.PATH).withLabel("FILE")
            .withDoc("Sign every manifest published with this Ed25519 private key (PKCS#8, PEM or DER; openssl genpkey "
                    + "-algorithm ed25519), for serving's --verify-key-file. Unset: manifests are unsigned.");
    public static final Setting<String> MODEL = Setting.of("model", Type.STRING).withLabel("NAME").asRequired()
            .withValidator(m -> m.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,127}") ? null
                    : "must be 1-128 letters, digits, '.', '_' or '-', starting with a letter or digit")
            .withDoc("Model name.");
    public static final Setting<String> SPEC = Setting.of("spec", Type.STRING).withLabel("NAME|FILE")
            .withDoc("Model spec: a spec JSON file, or (streamlearn commands) a ready spec name: logreg, mlp, lenet5.");
    public static final Setting<String> DEVICE = Setting.of("device", Type.STRING).withDefault("auto")
            .withValidator(d -> d.matches("auto|cpu|gpu(:\\d+)?") ? null : "must be auto, cpu, gpu or gpu:N")
            .withDoc("auto, cpu, gpu or gpu:N.");
    public static final Setting<Long> SEED = Setting.of("seed", Type.LONG).withDefault(42L)
            .withDoc("Seed of the generators.");
    public static final Setting<Integer> METRICS_PORT = Setting.of("metrics-port", Type.INT).withLabel("PORT")
            .withDefault(0).withValidator(Validator.between(0, 65_535))
            .withDoc("Serve Prometheus metrics on this port; 0: off.");
    /** Loopback by default so that a metrics port is never reachable from the network unless asked for. */
    public static final Setting<String> METRICS_ADDRESS = Setting.of("metrics-address", Type.STRING).withLabel("HOST")
            .withDefault("127.0.0.1").withValidator(h -> h.isBlank() ? "must be a host name or address" : null)
            .withDoc("Address the metrics port binds: 127.0.0.1 keeps it on this host, 0.0.0.0 lets "
                    + "a Prometheus elsewhere scrape it.");

    private CommonSettings() {}
}
