package io.streamlearn.core.event;

/** The checks the monitor's decision events share: one place, so the three kinds refuse the same things. */
final class DecisionFields {
    private DecisionFields() {}

    static void check(String type, String model, String component, long version, long otherVersion, long labeled) {
        if (model == null || model.isEmpty()) {
            throw new IllegalArgumentException(type + " event without a model name");
        }
        if (component == null) {
            throw new IllegalArgumentException(type + " event of " + model + ": component is required");
        }
        if (version < 1 || otherVersion < 1 || labeled < 0) {
            throw new IllegalArgumentException(type + " event of " + model + ": versions " + version + " and "
                    + otherVersion + " must be >= 1, labeled " + labeled + " >= 0");
        }
    }
}
