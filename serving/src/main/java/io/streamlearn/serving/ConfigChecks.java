package io.streamlearn.serving;

import io.streamlearn.core.config.Validator;
import java.util.List;
import java.util.Map;

/** The checks {@link ServingConfig.Builder#build()} runs, each adding a problem that names the fix to a list. */
final class ConfigChecks {
    private ConfigChecks() {}

    /** Adds {@code field}'s refusal by {@code validator}, a setting's own where it has one (ServingSettings). */
    static <T> void check(List<String> problems, String field, T value, Validator<T> validator) {
        String problem = value == null ? "must be set" : validator.problem(value);
        if (problem != null) {
            problems.add(field + " is " + value + ", " + problem);
        }
    }

    /** As {@link #check}, for a field whose null means "derived from another setting". */
    static <T> void checkIfSet(List<String> problems, String field, T value, Validator<T> validator) {
        if (value != null) {
            check(problems, field, value, validator);
        }
    }

    /** The Kafka overrides hold no nulls, nor a property that static membership or exactly-once derives. */
    static void kafkaOverrides(List<String> problems, Map<String, String> overrides, boolean staticMembership,
            boolean exactlyOnce) {
        if (overrides == null || overrides.containsKey(null) || overrides.containsValue(null)) {
            problems.add("kafka overrides " + overrides + " must not be null nor hold null keys or values");
            return;
        }
        derivedOverride(problems, overrides, staticMembership, "group.instance.id", "static membership");
        derivedOverride(problems, overrides, exactlyOnce, "transactional.id", "exactly-once mode");
    }

    /** A Kafka override of a property that {@code mode} derives from the instance id would break that mode. */
    private static void derivedOverride(List<String> problems, Map<String, String> overrides, boolean mode,
            String property, String modeName) {
        if (mode && overrides.containsKey(property)) {
            problems.add("kafka override " + property + " is set, but " + modeName + " derives it from the "
                    + "instance id: remove it and use optInstanceId (--instance-id)");
        }
    }
}
