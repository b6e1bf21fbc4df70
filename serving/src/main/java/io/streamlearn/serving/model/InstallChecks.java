package io.streamlearn.serving.model;

import io.streamlearn.core.snapshot.SnapshotManifest;
import io.streamlearn.core.snapshot.SnapshotStore;
import java.util.Optional;

/** The checks {@link ServingModel} runs on a loaded snapshot before it may serve: its store and its request contract. */
final class InstallChecks {
    private InstallChecks() {}

    /**
     * Why {@code manifest} comes from another store than the one serving reads, or null when it does not (or cannot
     * tell: a manifest before format v3 has no store id).
     */
    static String otherStoreReason(SnapshotStore store, SnapshotManifest manifest) {
        if (manifest.storeId() == null) {
            return null;
        }
        Optional<String> own;
        try {
            own = store.existingStoreId();
        } catch (RuntimeException e) {
            // Unreadable id: the load below reports the store's state with its own refusal.
            return null;
        }
        if (own.isPresent() && own.get().equals(manifest.storeId())) {
            return null;
        }
        return own.map(id -> "the store serving reads (" + store.root() + ") has id " + id)
                .orElse("the store serving reads (" + store.root() + ") has no id (no " + SnapshotStore.STORE_ID
                        + "): it is not the store the snapshot was published to, or it was emptied");
    }

    /** Why {@code next} cannot replace or run beside {@code serving}: it changes the request contract; null if not. */
    static String inputContractChange(LoadedModel serving, LoadedModel next) {
        var a = serving.spec().input();
        var b = next.spec().input();
        if (a.featureCount() != b.featureCount() || a.featureType() != b.featureType()) {
            return "snapshot " + next.name() + " v" + next.version() + " changes the request contract from "
                    + a.featureCount() + " " + a.dtype() + " features (v" + serving.version() + ") to "
                    + b.featureCount() + " " + b.dtype() + "; requests written for the serving version would be "
                    + "rejected: publish the new input under a new model name";
        }
        if (serving.spec().classes() != next.spec().classes()) {
            return "snapshot " + next.name() + " v" + next.version() + " changes the number of classes from "
                    + serving.spec().classes() + " (v" + serving.version() + ") to " + next.spec().classes()
                    + "; publish the new output under a new model name";
        }
        return null;
    }
}
