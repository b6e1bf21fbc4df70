package io.streamlearn.serving;

import io.streamlearn.core.config.CommonSettings;
import io.streamlearn.core.config.KafkaSettings;
import io.streamlearn.core.config.Setting;
import io.streamlearn.core.config.SettingValues;
import io.streamlearn.core.config.SettingsDef;
import io.streamlearn.core.config.Type;
import io.streamlearn.core.config.Validator;
import io.streamlearn.core.snapshot.ManifestSignature;
import io.streamlearn.serving.http.HttpOptions;
import io.streamlearn.serving.model.ChallengerRule;
import io.streamlearn.serving.model.InferencePrecision;
import java.nio.file.Path;

/** The settings of {@code streamlearn serve}, each defined once; {@link ServingConfig#fromSettings} reads them. */
public final class ServingSettings {
    /** Largest micro-batch the service accepts: the batch buffer is allocated once at this size. */
    public static final int MAX_BATCH_LIMIT = 65_536;
    /** Longest micro-batch wait: one second; longer waits only add latency. */
    public static final long MAX_WAIT_MICROS_LIMIT = 1_000_000L;
    /**
     * Longest transaction timeout: the broker's default {@code transaction.max.timeout.ms} (15 min); a producer
     * asking for more is refused at {@code initTransactions}.
     */
    public static final int MAX_TRANSACTION_TIMEOUT_MS = 900_000;

    public static final Setting<String> MODEL = CommonSettings.MODEL.withDoc("Model name to serve.");
    public static final Setting<String> GROUP_ID = Setting.of("group-id", Type.STRING).withLabel("GROUP")
            .withDefault("streamlearn-serving").withValidator(Validator.nonBlank())
            .withDoc("Consumer group; more instances in the same group scale out.");
    public static final Setting<Integer> MAX_BATCH = Setting.of("max-batch", Type.INT).withDefault(256)
            .withValidator(Validator.between(1, MAX_BATCH_LIMIT)).withDoc("Largest micro-batch (1..65536).");
    public static final Setting<ServingProfile> PROFILE = Setting.of("profile",
                    Type.simple(ServingProfile.CHOICES, ServingProfile::parse)).withDefault(ServingProfile.LATENCY)
            .withDoc("latency: answer each request at once (linger.ms 0, fetches return their first byte, no batch "
                    + "wait); throughput: fuller batches (linger.ms 5, 64 KiB fetches, 2 ms batch wait). Kafka "
                    + "properties given with -X win; see docs/serving.md for the measured trade-off.");
    public static final Setting<Long> MAX_WAIT_MICROS = Setting.of("max-wait-micros", Type.LONG).withLabel("MICROS")
            .withValidator(Validator.between(0L, MAX_WAIT_MICROS_LIMIT))
            .withDoc("Longest wait for a micro-batch to fill (0..1000000; default: the profile's, 0 for latency, "
                    + "2000 for throughput).");
    public static final Setting<Integer> TOP_K = Setting.of("top-k", Type.INT).withDefault(3)
            .withValidator(Validator.atLeast(1)).withDoc("Scores per prediction (capped at the class count).");
    public static final Setting<InferencePrecision> PRECISION = Setting.of("precision",
                    Type.simple(InferencePrecision.CHOICES, InferencePrecision::parse))
            .withDefault(InferencePrecision.FLOAT32)
            .withDoc("Number type of the forward pass: float32 (as trained) or bfloat16 for a classifier's batches "
                    + "of 32 rows or more (about twice the forward pass's rows per second on CPUs with AMX, slower "
                    + "on CPUs without bfloat16 units; probabilities within about 0.01 of float32's; needs "
                    + "--max-batch 32 or more). See docs/serving.md, precision.");
    public static final Setting<Path> VERIFY_KEY_FILE = Setting.of("verify-key-file", Type.PATH).withLabel("FILE")
            .withDoc("Serve only manifests signed by the private key of this Ed25519 public key (X.509, PEM or DER; "
                    + "openssl pkey -pubout), refusing unsigned and mis-signed ones. Default: no check.");
    public static final Setting<Long> PIN_VERSION = Setting.of("pin-version", Type.LONG).withLabel("VERSION")
            .withDefault(0L).withValidator(Validator.atLeast(0L).because("0 follows the newest"))
            .withDoc("Serve only this version (0: follow the newest).");
    public static final Setting<Boolean> EXACTLY_ONCE = Setting.flag("exactly-once",
            "Answer each request exactly once: predictions, dead letters and offsets in one Kafka "
                    + "transaction per micro-batch; read the predictions with isolation.level=read_committed. "
                    + "Default: at-least-once with an idempotent producer.");
    public static final Setting<String> INSTANCE_ID = Setting.of("instance-id", Type.STRING).withLabel("ID")
            .withValidator(ServingSettings::idProblem)
            .withDoc("This instance's id in its group (exactly-once: part of its transactional.id). Give each "
                    + "instance a stable one, e.g. the pod name (default: random).");
    public static final Setting<Boolean> STATIC_MEMBERSHIP = Setting.flag("static-membership",
            "Join the consumer group under --instance-id (Kafka static membership, group.instance.id): a "
                    + "replacement started with the same id takes over a crashed instance's partitions at once, "
                    + "without waiting for the session timeout. Requires --instance-id; see docs/serving.md, failover.");
    public static final Setting<String> TRANSACTIONAL_ID_PREFIX = Setting.of("transactional-id-prefix", Type.STRING)
            .withLabel("PREFIX").withDefault("streamlearn-serving").withValidator(ServingSettings::idProblem)
            .withDoc("Exactly-once: transactional.id = PREFIX-MODEL-INSTANCE.");
    public static final Setting<Integer> TRANSACTION_TIMEOUT_MS = Setting.of("transaction-timeout-ms", Type.INT)
            .withLabel("MS").withDefault(60_000)
            .withValidator(Validator.between(1_000, MAX_TRANSACTION_TIMEOUT_MS).because("the broker's "
                    + "default transaction.max.timeout.ms; a longer one fails initTransactions"))
            .withDoc("Exactly-once: transaction.timeout.ms, at most the broker's transaction.max.timeout.ms "
                    + "(900000 by default).");
    public static final Setting<String> HTTP = Setting.of("http", Type.STRING).withLabel("HOST:PORT")
            .withValidator(ServingSettings::httpProblem)
            .withDoc("Serve HTTP on HOST:PORT: POST /v1/predict, GET /healthz, /readyz, /metrics (e.g. "
                    + "127.0.0.1:8080; port 0 picks a free one). Default: off.");
    public static final Setting<Path> HTTP_TOKEN_FILE = Setting.of("http-token-file", Type.PATH)
            .withDoc("HTTP: every request must carry Authorization: Bearer TOKEN, TOKEN being this file's first line "
                    + "(16+ printable characters, e.g. openssl rand -hex 32); 401 without it, 403 for another. "
                    + "Default: no authentication.");
    public static final Setting<Path> HTTP_KEYSTORE = Setting.of("http-keystore", Type.PATH)
            .withDoc("HTTP: serve HTTPS with the key and certificate of this PKCS#12 keystore; needs "
                    + "--http-keystore-password-file. Default: plain HTTP.");
    public static final Setting<Path> HTTP_KEYSTORE_PASSWORD_FILE = Setting.of("http-keystore-password-file",
            Type.PATH).withDoc("HTTP: file whose first line is the --http-keystore password.");
    public static final Setting<Boolean> HTTP_OPEN_HEALTH = Setting.flag("http-open-health",
            "HTTP: answer GET /healthz and /readyz without the token (for probes that cannot send one). "
                    + "Default: with --http-token-file they need it too.");
    public static final Setting<String> CHALLENGER = Setting.of("challenger", Type.STRING).withLabel("MODE")
            .withDefault("off").withValidator(Validator.oneOf("off", "shadow", "canary"))
            .withDoc("How a newly published version starts: off (it replaces the champion at once), shadow (it scores "
                    + "every request onto predictions.shadow and answers none) or canary (it answers --canary-share of "
                    + "the requests); only a promotion on the models topic makes it the champion. See docs/serving.md.");
    public static final Setting<Double> CANARY_SHARE = Setting.of("canary-share", Type.DOUBLE).withLabel("SHARE")
            .withDefault(0.1).withValidator(Validator.between(0.0, 1.0))
            .withDoc("Canary mode: share of the requests the challenger answers (0..1), chosen by a stable hash of "
                    + "the request id.");

    /** Every setting of {@code streamlearn serve}. */
    public static final SettingsDef DEF = SettingsDef.of("serve", MODEL, CommonSettings.STORE, GROUP_ID, PROFILE,
            MAX_BATCH, MAX_WAIT_MICROS, TOP_K, PRECISION, PIN_VERSION, EXACTLY_ONCE, INSTANCE_ID, STATIC_MEMBERSHIP,
            TRANSACTIONAL_ID_PREFIX, TRANSACTION_TIMEOUT_MS, HTTP, HTTP_TOKEN_FILE, HTTP_KEYSTORE,
            HTTP_KEYSTORE_PASSWORD_FILE, HTTP_OPEN_HEALTH, VERIFY_KEY_FILE, CHALLENGER, CANARY_SHARE, KafkaSettings.DEF);

    private ServingSettings() {}

    /** Sets on {@code b} every setting of {@code v}: the one mapping from these settings to the builder. */
    static ServingConfig.Builder applyTo(ServingConfig.Builder b, SettingValues v) {
        b.setBootstrapServers(v.get(KafkaSettings.BOOTSTRAP_SERVER)).setModel(v.get(MODEL))
                .setStoreRoot(v.get(CommonSettings.STORE).toAbsolutePath()).optTopics(KafkaSettings.topics(v))
                .optGroupId(v.get(GROUP_ID)).optProfile(v.get(PROFILE)).optMaxBatch(v.get(MAX_BATCH))
                .optTopK(v.get(TOP_K)).optPrecision(v.get(PRECISION)).optPinVersion(v.get(PIN_VERSION)).optKafkaOverrides(KafkaSettings.overrides(v))
                .optExactlyOnce(v.flag(EXACTLY_ONCE))
                .optTransactionalIdPrefix(v.get(TRANSACTIONAL_ID_PREFIX))
                .optTransactionTimeoutMs(v.get(TRANSACTION_TIMEOUT_MS))
                .optStaticMembership(v.flag(STATIC_MEMBERSHIP))
                .optChallenger(new ChallengerRule(ChallengerRule.Mode.of(v.get(CHALLENGER)), v.get(CANARY_SHARE)));
        if (v.isSet(MAX_WAIT_MICROS)) {
            b.optMaxWaitMicros(v.get(MAX_WAIT_MICROS));
        }
        if (v.isSet(INSTANCE_ID)) {
            b.optInstanceId(v.get(INSTANCE_ID));
        }
        if (v.isSet(VERIFY_KEY_FILE)) {
            b.optVerifyKey(ManifestSignature.publicKey(v.get(VERIFY_KEY_FILE)));
        }
        if (v.isSet(HTTP)) {
            String http = v.get(HTTP);
            b.optHttpAddress(http.substring(0, http.lastIndexOf(':')), port(http));
        }
        b.optHttpOptions(new HttpOptions(orNull(v, HTTP_TOKEN_FILE), orNull(v, HTTP_KEYSTORE),
                orNull(v, HTTP_KEYSTORE_PASSWORD_FILE), v.flag(HTTP_OPEN_HEALTH)));
        return b;
    }

    private static Path orNull(SettingValues v, Setting<Path> setting) {
        return v.isSet(setting) ? v.get(setting).toAbsolutePath() : null;
    }

    /** The port of a {@code HOST:PORT} address, or -1 when it has none. */
    static int port(String address) {
        int colon = address.lastIndexOf(':');
        try {
            int port = colon > 0 ? Integer.parseInt(address.substring(colon + 1)) : -1;
            return port <= 65_535 ? port : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Transactional id prefix and instance id: what Kafka accepts in a transactional.id, kept short. */
    private static String idProblem(String id) {
        return id.matches("[A-Za-z0-9._-]{1,100}") ? null : "must be 1-100 letters, digits, '.', '_' or '-'";
    }

    private static String httpProblem(String address) {
        return port(address) < 0 ? "must be HOST:PORT, e.g. 127.0.0.1:8080" : null;
    }
}
