package io.streamlearn.serving;

import io.streamlearn.core.config.Validator;
import java.util.List;
import java.util.Map;

/** The checks {@link ServingConfig.Builder} runs on each field, kept apart so the config holds only its settings. */
final class ServingConfigChecks {
    private ServingConfigChecks() {}

    /** Adds {@code field}'s refusal by {@code validator}, a setting's own where it has one (ServingSettings). */
    static <T> void check(List<String> problems, String field, T value, Validator<T> validator) {
        String problem = value == null ? "must be set" : validator.problem(value);
        if (problem != null) {
            problems.add(field + " is " + value + ", " + problem);
        }
    }

    /** Adds {@code problem} unless {@code ok}. */
    static void require(List<String> problems, boolean ok, String problem) {
        if (!ok) {
            problems.add(problem);
        }
    }

    /** As {@link #check}, for a field whose null means "derived from another setting". */
    static <T> void checkIfSet(List<String> problems, String field, T value, Validator<T> validator) {
        if (value != null) {
            check(problems, field, value, validator);
        }
    }

    /** Static membership and exactly-once derive Kafka properties from the instance id: it must be stable and theirs. */
    static void instanceIdModes(List<String> problems, Map<String, String> kafkaOverrides, boolean staticMembership,
            boolean instanceIdGiven, boolean exactlyOnce) {
        if (staticMembership && !instanceIdGiven) {
            problems.add("static membership needs a stable instance id: call optInstanceId (--instance-id), e.g. the "
                    + "pod name; a random one would make every restart a new member");
        }
        if (kafkaOverrides == null || kafkaOverrides.containsKey(null) || kafkaOverrides.containsValue(null)) {
            problems.add("kafka overrides " + kafkaOverrides + " must not be null nor hold null keys or values");
            return;
        }
        derivedOverride(problems, kafkaOverrides, staticMembership, "group.instance.id", "static membership");
        derivedOverride(problems, kafkaOverrides, exactlyOnce, "transactional.id", "exactly-once mode");
    }

    /** A Kafka override of a property that {@code mode} derives from the instance id would break that mode. */
    private static void derivedOverride(List<String> problems, Map<String, String> kafkaOverrides, boolean mode,
            String property, String modeName) {
        if (mode && kafkaOverrides.containsKey(property)) {
            problems.add("kafka override " + property + " is set, but " + modeName + " derives it from the "
                    + "instance id: remove it and use optInstanceId (--instance-id)");
        }
    }
}
