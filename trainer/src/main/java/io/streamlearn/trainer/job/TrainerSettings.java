package io.streamlearn.trainer.job;

import io.streamlearn.core.config.CommonSettings;
import io.streamlearn.core.config.KafkaSettings;
import io.streamlearn.core.config.Setting;
import io.streamlearn.core.config.SettingsDef;
import io.streamlearn.core.config.Type;
import io.streamlearn.core.config.Validator;
import io.streamlearn.core.drift.DriftDetector;

/**
 * The trainer's settings, defined once for {@code streamlearn train} and {@code flink run ... TrainerJob}:
 * {@link #DEF} for the former, {@link #JOB_DEF} (bootstrap server, spec file and store required) for the latter.
 */
public final class TrainerSettings {
    public static final Setting<Long> CHECKPOINT_INTERVAL_MS = Setting.of("checkpoint-interval-ms", Type.LONG)
            .withLabel("MS").withDefault(5_000L).withValidator(Validator.atLeast(10L))
            .withDoc("Checkpoint (and snapshot) interval.");
    public static final Setting<Long> MAX_WAIT_MS = Setting.of("max-wait-ms", Type.LONG).withLabel("MS")
            .withDefault(200L).withValidator(Validator.atLeast(1L))
            .withDoc("Longest wait for a mini-batch to fill; a slow stream still learns.");
    public static final Setting<Double> HOLDOUT = Setting.of("holdout", Type.DOUBLE).withLabel("FRACTION")
            .withDefault(0.1).withValidator(h -> h >= 0 && h < 1 ? null : "must be in [0, 1)")
            .withDoc("Fraction of ids (by hash) held out from training for the holdout metrics.");
    public static final Setting<Long> INIT_FROM = Setting.of("init-from", Type.LONG).withLabel("VERSION")
            .withDefault(0L).withValidator(Validator.atLeast(0L))
            .withDoc("Without a restored checkpoint, warm-start from this version's parameters only (new metrics, the "
                    + "group's committed offsets) instead of resuming the latest snapshot (0: resume).");
    public static final Setting<Boolean> FRESH = Setting.of("fresh", Type.FLAG).withDefault(false)
            .withDoc("Without a restored checkpoint, start from new parameters and the group's committed offsets "
                    + "instead of resuming the latest published snapshot (its state and source offsets).");
    public static final Setting<Double> GATE_MARGIN = Setting.of("gate-margin", Type.DOUBLE).withDefault(0.05)
            .withValidator(Validator.between(0.0, 1.0))
            .withDoc("Quality gate: refuse a snapshot whose holdout accuracy is more than this below the published "
                    + "version's on the same recent holdout rows.");
    public static final Setting<Double> GATE_MIN_HOLDOUT = Setting.of("gate-min-holdout", Type.DOUBLE)
            .withDefault(0.0).withValidator(Validator.between(0.0, 1.0))
            .withDoc("Quality gate: refuse a snapshot whose holdout accuracy is below this (0: off).");
    public static final Setting<String> DRIFT_DETECTOR = Setting.of("drift-detector", Type.STRING)
            .withDefault("adwin").withValidator(TrainerSettings::detectorProblem)
            .withDoc("Detector of the prequential error: adwin[:delta=0.002], page-hinkley[:lambda=50,...] or none.");
    public static final Setting<TrainerConfig.DriftReaction> DRIFT_REACTION = Setting.of("drift-reaction",
                    Type.simple("none|lr-boost|reset-optimizer", TrainerConfig.DriftReaction::parse))
            .withDefault(TrainerConfig.DriftReaction.RESET_OPTIMIZER)
            .withDoc("On drift: none, lr-boost or reset-optimizer.");
    public static final Setting<String> GROUP_ID = Setting.of("group-id", Type.STRING).withLabel("GROUP")
            .withValidator(Validator.nonBlank())
            .withDoc("Consumer group of the examples source (default: streamlearn-trainer-MODEL).");
    public static final Setting<Integer> DECODE_PARALLELISM = Setting.of("decode-parallelism", Type.INT)
            .withLabel("N").withDefault(1).withValidator(Validator.atLeast(1))
            .withDoc("Parallel instances of the source and the decoder, at least --parallelism (more: they rebalance "
                    + "into the trainers).");
    public static final Setting<Integer> PARALLELISM = Setting.of("parallelism", Type.INT).withLabel("N")
            .withDefault(1).withValidator(Validator.between(1, TrainerJob.MAX_PARALLELISM))
            .withDoc("Data-parallel trainer subtasks, each with its own partitions and device, merged into one model "
                    + "at every checkpoint (one per task manager for real scale-out).");
    public static final Setting<Long> MERGE_TIMEOUT_MS = Setting.of("merge-timeout-ms", Type.LONG).withLabel("MS")
            .withDefault(120_000L).withValidator(Validator.atLeast(1L))
            .withDoc("Longest wait of a trainer subtask for the others' contributions to a checkpoint's merge; "
                    + "past it the task fails naming the missing subtasks.");
    /** The spec: a ready spec name or a file for {@code streamlearn train}. */
    public static final Setting<String> SPEC = CommonSettings.SPEC.withDefault("mlp");

    /** {@code streamlearn train}'s trainer settings. */
    public static final SettingsDef DEF = SettingsDef.of("trainer", SPEC, CommonSettings.STORE,
            CHECKPOINT_INTERVAL_MS, MAX_WAIT_MS, HOLDOUT, CommonSettings.DEVICE, INIT_FROM, FRESH, GATE_MARGIN,
            GATE_MIN_HOLDOUT, DRIFT_DETECTOR, DRIFT_REACTION, GROUP_ID, DECODE_PARALLELISM, PARALLELISM, MERGE_TIMEOUT_MS,
            CommonSettings.SIGNING_KEY_FILE,
            KafkaSettings.DEF);

    /** {@code flink run}'s: where the cluster is, the spec file and the shared store must be given. */
    public static final SettingsDef JOB_DEF = DEF.replacing(KafkaSettings.BOOTSTRAP_SERVER.asRequired())
            .replacing(SPEC.asRequired().withDoc("Model spec JSON file (as the task managers see it)."))
            .replacing(CommonSettings.STORE.asRequired().withDoc("Snapshot store directory, shared with serving."));

    private TrainerSettings() {}

    private static String detectorProblem(String spec) {
        if (spec.equalsIgnoreCase("none")) {
            return null;
        }
        try {
            DriftDetector.parse(spec);
            return null;
        } catch (IllegalArgumentException e) {
            return "is not a detector: " + e.getMessage();
        }
    }
}
