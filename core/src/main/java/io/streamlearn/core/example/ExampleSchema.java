package io.streamlearn.core.example;

import java.io.Serializable;
import java.util.Locale;

/**
 * What a valid training example looks like for one model: feature count, dtype, class count (or, for regression,
 * the target's value count) and record size cap. Ingest, the trainer's decoder and serving apply the same checks,
 * so a record is rejected for the same reason wherever it is caught.
 *
 * @param featureCount    exact number of features
 * @param dtype           required dtype; float32 models also accept uint8 features
 * @param classes         labels must be 0..classes-1
 * @param maxRecordBytes  largest encoded record accepted
 * @param targets         0 for classification (examples need a label); for regression the number of values every
 *                        example's {@code target} must have (its label is then ignored)
 */
public record ExampleSchema(int featureCount, FeatureType dtype, int classes, int maxRecordBytes, int targets)
        implements Serializable {

    /** Default record size cap: a little over Kafka's default 1 MiB message limit. */
    public static final int DEFAULT_MAX_RECORD_BYTES = 1 << 20;

    public ExampleSchema {
        if (featureCount < 0 || featureCount > Features.MAX_COUNT) {
            throw new IllegalArgumentException("schema feature count " + featureCount + " outside 0.." + Features.MAX_COUNT);
        }
        if (dtype == null) {
            throw new IllegalArgumentException("schema dtype is required");
        }
        if (classes < 1) {
            throw new IllegalArgumentException("schema classes " + classes + " must be >= 1");
        }
        if (maxRecordBytes < 1) {
            throw new IllegalArgumentException("schema max record bytes " + maxRecordBytes + " must be >= 1");
        }
        if (targets < 0 || targets > Example.MAX_TARGET_VALUES) {
            throw new IllegalArgumentException("schema targets " + targets + " outside 0.."
                    + Example.MAX_TARGET_VALUES);
        }
    }

    /** A classification schema: examples carry a label 0..classes-1. */
    public ExampleSchema(int featureCount, FeatureType dtype, int classes, int maxRecordBytes) {
        this(featureCount, dtype, classes, maxRecordBytes, 0);
    }

    /** Whether examples of this schema carry real-valued targets rather than class labels. */
    public boolean isRegression() {
        return targets > 0;
    }

    /** Why an encoded record is refused before decoding (empty or too large), or null. */
    public String recordProblem(byte[] value) {
        if (value == null || value.length == 0) {
            return "empty record";
        }
        if (value.length > maxRecordBytes) {
            return "record is " + value.length + " bytes, larger than the cap of " + maxRecordBytes;
        }
        return null;
    }

    /** Why a labeled example does not fit this schema, or null when it does. */
    public String problem(Example e) {
        String p = requestProblem(e.features());
        if (p != null) {
            return p;
        }
        if (isRegression()) {
            return targetProblem(e.target());
        }
        if (!e.hasLabel()) {
            return "no label: a training example needs 'label'";
        }
        if (e.label() >= classes) {
            return "label " + e.label() + " out of range, expected 0.." + (classes - 1);
        }
        return null;
    }

    /** Why a regression target does not fit this schema, or null. */
    public String targetProblem(float[] target) {
        if (target == null) {
            return "no target: a regression training example needs 'target'";
        }
        if (target.length != targets) {
            return "target has " + target.length + " values, expected " + targets;
        }
        for (int i = 0; i < target.length; i++) {
            if (!Float.isFinite(target[i])) {
                return "target value " + i + " is " + target[i] + ", expected a finite number";
            }
        }
        return null;
    }

    /** Why the features of a prediction request do not fit this schema, or null. */
    public String requestProblem(Features f) {
        if (f.size() != featureCount) {
            return "feature count " + f.size() + ", expected " + featureCount;
        }
        if (dtype == FeatureType.UINT8 && f.type() != FeatureType.UINT8) {
            return "dtype " + f.type().name().toLowerCase(Locale.ROOT) + ", expected uint8";
        }
        int bad = f.firstNonFinite();
        if (bad >= 0) {
            return "feature " + bad + " is " + f.get(bad) + ", expected a finite number";
        }
        return null;
    }
}
