package io.streamlearn.trainer.join;

/**
 * What became of one label; every label received gets exactly one, so joined + late + unmatched + duplicate +
 * contradictory = labels received once none is waiting for its request.
 */
public enum LabelOutcome {
    /** Joined with its request's features into an example on the examples topic. */
    JOINED,
    /** Its request was served, but more than the window before the label (or its window closed first). */
    LATE,
    /** No request of its id within the window of it, decided when that window passed. */
    UNMATCHED,
    /** The id already had this same label: dropped. */
    DUPLICATE,
    /** The id already had another label: dropped, the first label wins. */
    CONTRADICTORY;

    /** The lower-case name, as in metric names and dead-letter reasons. */
    public String word() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
