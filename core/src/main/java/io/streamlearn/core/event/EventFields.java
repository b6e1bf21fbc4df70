package io.streamlearn.core.event;

/** The checks events share: one place, so events of the same family refuse the same things the same way. */
final class EventFields {
    private EventFields() {}

    /** The checks of a trainer's or serving's report on a snapshot: who, of which model, and why. */
    static void report(String type, String model, String component, String reason) {
        if (model == null || model.isEmpty()) {
            throw new IllegalArgumentException(type + " event without a model name");
        }
        if (component == null || reason == null) {
            throw new IllegalArgumentException(type + " event of " + model + ": component and reason are required");
        }
    }

    /** The checks of the monitor's decisions: the two versions compared and over how many labels. */
    static void decision(String type, String model, String component, long version, long otherVersion, long labeled) {
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
