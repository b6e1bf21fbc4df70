package io.streamlearn.serving.model;

import io.streamlearn.core.snapshot.SnapshotManifest;

/**
 * Decides, record by record in topic order, which manifest on the models topic should be serving.
 *
 * <p>The rule: a published manifest is followed only when its version is higher than every version
 * published before it on the topic (a late or repeated announcement of an older version, e.g. by a
 * zombie trainer after a failover, never rolls serving back); a {@linkplain ModelPromotion promotion}
 * is followed whatever its version, because an operator asked for exactly that version. The last
 * decision wins: a promoted (rolled back) version serves until the next <em>new</em> version is
 * published. Each decision is tried once: a refused snapshot is not retried until it is announced
 * (or promoted) again.
 */
final class ModelSelection {
    private long highestPublished;
    private SnapshotManifest desired;
    private boolean desiredPromoted;
    private boolean pending;

    /** Offers the manifest of one record; returns whether it is now the one to serve. */
    boolean offer(SnapshotManifest manifest, boolean promoted) {
        if (!promoted) {
            if (manifest.version() <= highestPublished) {
                return false;
            }
            highestPublished = manifest.version();
        }
        desired = manifest;
        desiredPromoted = promoted;
        pending = true;
        return true;
    }

    /**
     * The manifest to install now, or null when no new decision was made or the decided version already
     * serves; either way the decision counts as tried.
     */
    SnapshotManifest take(long servingVersion) {
        if (!pending) {
            return null;
        }
        pending = false;
        return desired.version() == servingVersion ? null : desired;
    }

    /** Whether the last decision was a promotion. */
    boolean promoted() {
        return desiredPromoted;
    }

    /** Highest version published (not promoted) seen on the topic, 0 before any. */
    long highestPublished() {
        return highestPublished;
    }
}
