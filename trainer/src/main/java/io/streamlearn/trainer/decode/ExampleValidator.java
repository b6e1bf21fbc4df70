package io.streamlearn.trainer.decode;

import io.streamlearn.core.example.Example;
import io.streamlearn.core.example.FeatureType;
import io.streamlearn.core.model.ModelSpec;
import java.io.Serializable;

/** Checks a decoded example against the model's declared schema; returns the reason it fails, or null. */
public final class ExampleValidator implements Serializable {
    private static final long serialVersionUID = 1L;

    private final int featureCount;
    private final int classes;
    private final FeatureType dtype;

    public ExampleValidator(ModelSpec spec) {
        this.featureCount = spec.featureCount();
        this.classes = spec.classes();
        this.dtype = spec.input().featureType();
    }

    public String problem(Example e) {
        if (e.features().size() != featureCount) {
            return "feature count " + e.features().size() + ", expected " + featureCount;
        }
        if (dtype == FeatureType.UINT8 && e.features().type() != FeatureType.UINT8) {
            return "dtype " + e.features().type().name().toLowerCase() + ", expected uint8";
        }
        int bad = e.features().firstNonFinite();
        if (bad >= 0) {
            return "feature " + bad + " is " + e.features().get(bad) + ", expected a finite number";
        }
        if (!e.hasLabel()) {
            return "no label: a training example needs 'label'";
        }
        if (e.label() >= classes) {
            return "label " + e.label() + " out of range, expected 0.." + (classes - 1);
        }
        return null;
    }
}
