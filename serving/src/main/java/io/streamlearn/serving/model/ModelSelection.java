package io.streamlearn.serving.model;

import io.streamlearn.core.snapshot.ModelPromotion;
import io.streamlearn.core.snapshot.ModelRefusal;
import io.streamlearn.core.snapshot.SnapshotManifest;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Decides, record by record in topic order, which manifest on the models topic should be serving.
 *
 * <p>The rule: a published manifest is a candidate when its version is higher than every published version
 * serving has <em>installed</em> (a late or repeated announcement of an older version, e.g. by a zombie trainer after
 * a failover, never rolls serving back); a {@linkplain ModelPromotion promotion} is followed whatever its version,
 * because an operator asked for exactly that version, and supersedes the candidates announced before it. The last
 * decision wins: a promoted (rolled back) version serves until the next <em>new</em> version is published.
 *
 * <p>The mark rises only on an install, never on an announcement: a manifest that is refused (unreadable snapshot,
 * a version far above any real one, a snapshot missing from the store) must not stop the next good version. So the
 * candidates are kept, highest first, and a refused one makes way for the next; each is tried once, until it is
 * announced again.
 *
 * <p>A published manifest from another store than the installed version's (its {@code store_id}) is not a
 * candidate: version numbers of two stores cannot be compared (a re-created store restarts at 1, a second trainer
 * publishing the same model name counts on its own). {@link Verdict#OTHER_STORE} tells the caller to refuse it
 * loudly; an operator who means the switch promotes a version of the new store, or restarts serving.
 *
 * <p>Likewise a published manifest of another lineage ({@code lineage_id}) than the installed version's is not a
 * candidate ({@link Verdict#OTHER_LINEAGE}): a second trainer publishing the same model name into the same store, or a
 * trainer restarted with {@code --fresh}. Serving follows the new lineage only once an operator promotes one of its
 * versions. Manifests without a lineage (before format v4) are not checked.
 *
 * <p>Champion and challenger ({@link ChallengerRule}): with a challenger rule on, a new published version is handed
 * out as {@link Role#CHALLENGER} once a champion serves (the very first version is the champion), and only a
 * promotion makes a version champion; a newer published version then no longer supersedes a promotion, since the two
 * fill different slots. A promotion of a version older than the newest published one of its store and lineage is a
 * <em>rollback</em>: from then on new versions enter as challengers even with the rule off, until a version at least
 * as new as every published one is promoted, so the next publish does not undo the rollback.
 *
 * <p>The monitor's {@linkplain ModelRefusal refusal} ({@link #refuse}) marks a version and every older one of its store
 * and lineage as never to be taken again but by a promotion: live serving never goes back to a challenger older than
 * one it ran, so a restart, which sees only the last refusal on the compacted topic, decides the same.
 */
final class ModelSelection {
    /** Candidates kept at most; the lowest make way. A burst (a restart reading the topic) needs only the top few. */
    static final int MAX_CANDIDATES = 16;

    /** What {@link #offer} made of a manifest. */
    enum Verdict {
        /** It will be tried by {@link #take}. */
        CANDIDATE,
        /** Not newer than a version already installed: ignored. */
        OLDER,
        /** Published by another store than the serving version's: to be refused. */
        OTHER_STORE,
        /** Published under another lineage than the serving version's: to be refused. */
        OTHER_LINEAGE
    }

    /** The slot a candidate goes to. */
    enum Role {
        /** It answers. */
        CHAMPION,
        /** It runs beside the champion (shadow or canary) until promoted. */
        CHALLENGER
    }

    /** A manifest to install, whether an operator promoted it, and into which slot. */
    record Candidate(SnapshotManifest manifest, boolean promoted, Role role) {
        Candidate(SnapshotManifest manifest, boolean promoted) {
            this(manifest, promoted, Role.CHAMPION);
        }
    }

    private final ChallengerRule rule;
    // Highest published version offered of the followed store and lineage: what tells a promotion is a rollback.
    private long newestPublished;
    private boolean rolledBack;
    // Challenging: whether a champion was promoted or installed; until then the first published version is it.
    private boolean championKnown;
    // Challenging, no champion known: the first published version read, the champion to install.
    private SnapshotManifest designated;

    private long highestInstalled;
    // Store id of the last installed manifest that had one; null while unknown (nothing installed, or v1/v2 manifests).
    private String storeId;
    // Lineage of the last installed manifest that had one; null while unknown (nothing installed, or before v4).
    private String lineageId;
    private final TreeMap<Long, SnapshotManifest> candidates = new TreeMap<>();
    private SnapshotManifest promotion;
    // The monitor's last refusal read, null before any: it and older versions of its store and lineage are out.
    private SnapshotManifest refusal;

    /** A selection with the challenger rule off: every new version is the champion (until a rollback). */
    ModelSelection() {
        this(ChallengerRule.OFF);
    }

    /** A selection that hands out new versions as {@code rule} says. */
    ModelSelection(ChallengerRule rule) {
        this.rule = rule;
    }

    /** Offers the manifest of one record. */
    Verdict offer(SnapshotManifest manifest, boolean promoted) {
        if (promoted) {
            if (differ(storeId, manifest.storeId()) || differ(lineageId, manifest.lineageId())) {
                // Versions of another store or lineage are not comparable: the switch is no rollback.
                newestPublished = manifest.version();
                rolledBack = false;
            } else {
                rolledBack = manifest.version() < newestPublished;
                newestPublished = Math.max(newestPublished, manifest.version());
            }
            promotion = manifest;
            championKnown = true;
            if (rule.challengesNewVersions()) {
                // Newer versions stay challengers: the live instance keeps a newer challenger beside the promoted one.
                if (designated != null) {
                    candidates.put(designated.version(), designated);
                }
                candidates.headMap(manifest.version(), true).clear();
            } else {
                // The promotion supersedes the announcements before it: after a rollback, what was rolled back.
                candidates.clear();
            }
            designated = null;
            return Verdict.CANDIDATE;
        }
        if (differ(storeId, manifest.storeId())) {
            return Verdict.OTHER_STORE;
        }
        if (differ(lineageId, manifest.lineageId())) {
            return Verdict.OTHER_LINEAGE;
        }
        newestPublished = Math.max(newestPublished, manifest.version());
        if (manifest.version() <= highestInstalled) {
            return Verdict.OLDER;
        }
        if (!challenging()) {
            // A newer published version is a later decision than any promotion before it.
            promotion = null;
        } else if (!championKnown && designated == null) {
            // The history starts with the first champion: a restart must not make a challenger of it the champion.
            designated = manifest;
            return Verdict.CANDIDATE;
        }
        candidates.put(manifest.version(), manifest);
        if (candidates.size() > MAX_CANDIDATES) {
            candidates.pollFirstEntry();
        }
        return Verdict.CANDIDATE;
    }

    /**
     * Notes the monitor's refusal of {@code refused}'s version: from now on it, and any older version of its store and
     * lineage, is no candidate; the caller stops a challenger this {@link #refuses}.
     */
    void refuse(SnapshotManifest refused) {
        if (refusal == null || !sameLineage(refusal, refused) || refused.version() > refusal.version()) {
            refusal = refused;
        }
    }

    /** Whether {@code m} is refused: not newer than the last refusal, of its store and lineage. */
    boolean refuses(SnapshotManifest m) {
        return refusal != null && m.version() <= refusal.version() && sameLineage(refusal, m);
    }

    private static boolean sameLineage(SnapshotManifest a, SnapshotManifest b) {
        return !differ(a.storeId(), b.storeId()) && !differ(a.lineageId(), b.lineageId());
    }

    /**
     * Notes that the store holds {@code version} of the followed lineage: after compaction the models topic may keep
     * only a rollback's promotion, and this tells it from a promotion of the newest version.
     */
    void published(long version) {
        newestPublished = Math.max(newestPublished, version);
    }

    /** Whether new versions enter as challengers: the rule says so, or a rollback is in force. */
    boolean challenging() {
        return rule.challengesNewVersions() || rolledBack;
    }

    /** Whether the last promotion was a rollback not yet followed by the promotion of a newest version. */
    boolean rolledBack() {
        return rolledBack;
    }

    /** {@link #take(long, long)} with no challenger serving. */
    Candidate take(long servingVersion) {
        return take(servingVersion, 0);
    }

    /**
     * The next manifest to try, or null when none is left; {@code championVersion} and {@code challengerVersion} (0:
     * none) are skipped (they already serve). Report the outcome with {@link #installed}; a candidate not reported
     * installed counts as refused.
     */
    Candidate take(long championVersion, long challengerVersion) {
        if (promotion != null) {
            SnapshotManifest p = promotion;
            promotion = null;
            if (p.version() != championVersion) {
                return new Candidate(p, true, Role.CHAMPION);
            }
        }
        if (designated != null) {
            SnapshotManifest d = designated;
            designated = null;
            if (championVersion == 0) {
                return new Candidate(d, false, Role.CHAMPION);
            }
        }
        while (!candidates.isEmpty()) {
            Map.Entry<Long, SnapshotManifest> top = candidates.pollLastEntry();
            Role role = championVersion == 0 || !challenging() ? Role.CHAMPION : Role.CHALLENGER;
            long serving = role == Role.CHAMPION ? championVersion : challengerVersion;
            if (top.getKey() == serving) {
                installed(new Candidate(top.getValue(), false, role));
                continue;
            }
            if (refuses(top.getValue())) {
                // Refused by the monitor: only a promotion brings it back.
                continue;
            }
            return new Candidate(top.getValue(), false, role);
        }
        return null;
    }

    /**
     * {@code c} was put into service: older candidates are dropped, the store of its manifest is the one followed
     * (a promoted version of another store restarts the mark at its version).
     */
    void installed(Candidate c) {
        SnapshotManifest m = c.manifest();
        if (c.role() == Role.CHAMPION) {
            championKnown = true;
        }
        if (differ(storeId, m.storeId())) {
            // An operator promoted a version of another store: from now on versions count in that store.
            highestInstalled = m.version();
            candidates.clear();
        }
        if (!c.promoted()) {
            highestInstalled = Math.max(highestInstalled, m.version());
            candidates.headMap(highestInstalled, true).clear();
        }
        if (m.storeId() != null) {
            storeId = m.storeId();
        }
        if (m.lineageId() != null) {
            // A promoted version of another lineage makes serving follow that lineage from now on.
            lineageId = m.lineageId();
        }
    }

    /** Whether two ids are both known and different; an unknown one (older manifests) never differs. */
    private static boolean differ(String followed, String offered) {
        return followed != null && offered != null && !followed.equals(offered);
    }

    /** Highest published (not promoted) version installed, 0 before any. */
    long highestInstalled() {
        return highestInstalled;
    }

    /** Store id of the serving version's store, null while unknown. */
    String storeId() {
        return storeId;
    }

    /** Lineage of the serving version, null while unknown. */
    String lineageId() {
        return lineageId;
    }

    /** Candidates waiting to be tried, the promotion included. */
    int pending() {
        return candidates.size() + (promotion == null ? 0 : 1) + (designated == null ? 0 : 1);
    }

    @Override
    public String toString() {
        return "ModelSelection[" + rule.mode().settingName() + (rolledBack ? ", rolled back" : "")
                + ", installed up to v" + highestInstalled + ", store " + Objects.requireNonNullElse(storeId,
                "unknown") + ", lineage " + Objects.requireNonNullElse(lineageId, "unknown") + ", candidates "
                + candidates.keySet() + (promotion == null ? "" : ", promoted v"
                + promotion.version()) + (refusal == null ? "" : ", refused up to v" + refusal.version()) + "]";
    }
}
