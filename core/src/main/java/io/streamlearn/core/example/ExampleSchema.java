package io.streamlearn.core.example;

import java.io.Serializable;
import java.util.Locale;

/**
 * What a valid training example looks like for one model: feature count, dtype, class count and
 * record size cap. Ingest, the trainer's decoder and serving apply the same checks, so a record is
 * rejected for the same reason wherever it is caught.
 *
 * @param featureCount    exact number of features
 * @param dtype           required dtype; float32 models also accept uint8 features
 * @param classes         labels must be 0..classes-1
 * @param maxRecordBytes  largest encoded record accepted
 */
public record ExampleSchema(int featureCount, FeatureType dtype, int classes, int maxRecordBytes)
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
        if (!e.hasLabel()) {
            return "no label: a training example needs 'label'";
        }
        if (e.label() >= classes) {
            return "label " + e.label() + " out of range, expected 0.." + (classes - 1);
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
