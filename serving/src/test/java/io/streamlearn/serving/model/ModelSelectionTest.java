package io.streamlearn.serving.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamlearn.core.snapshot.SnapshotManifest;
import io.streamlearn.serving.model.ModelSelection.Candidate;
import io.streamlearn.serving.model.ModelSelection.Verdict;
import org.junit.jupiter.api.Test;

class ModelSelectionTest {

    private static SnapshotManifest v(long version) {
        return new SnapshotManifest(SnapshotManifest.FORMAT, "mlp", version, 1000 * version, 0, 0, -1, version - 1,
                "mlp-0000.params", "00", "PyTorch", "cpu", null, null);
    }

    /** Version {@code version} published by the store with id {@code storeId}. */
    private static SnapshotManifest v(long version, String storeId) {
        return v(version, storeId, null);
    }

    /** Version {@code version} published by store {@code storeId} under lineage {@code lineageId}. */
    private static SnapshotManifest v(long version, String storeId, String lineageId) {
        SnapshotManifest m = v(version);
        return new SnapshotManifest(m.format(), m.model(), m.version(), m.createdMs(), m.examplesSeen(),
                m.stepsSeen(), m.checkpointId(), m.parentVersion(), m.paramsFile(), m.paramsSha256(), m.engine(),
                m.device(), m.metrics(), m.source(), "test", null, null, storeId, lineageId, null);
    }

    /** Takes the next candidate and reports it installed, as the follower does after a successful install. */
    private static long install(ModelSelection s, long servingVersion) {
        Candidate c = s.take(servingVersion);
        s.installed(c);
        return c.manifest().version();
    }

    /** A selection that has read the announcements of v1 to v{@code last}, nothing taken yet. */
    private static ModelSelection publishedUpTo(long last) {
        ModelSelection s = new ModelSelection();
        for (long i = 1; i <= last; i++) {
            s.offer(v(i), false);
        }
        return s;
    }

    /** A selection that has decided on and handed out the published {@code version}. */
    private static ModelSelection serving(long version) {
        ModelSelection s = new ModelSelection();
        s.offer(v(version), false);
        install(s, 0);
        return s;
    }

    @Test
    void followsEachNewerPublishedVersion() {
        ModelSelection s = new ModelSelection();
        assertThat(s.take(0)).isNull();
        assertThat(s.offer(v(1), false)).isEqualTo(Verdict.CANDIDATE);
        assertThat(install(s, 0)).isEqualTo(1);
        assertThat(s.take(1)).as("each decision is tried once").isNull();
        assertThat(s.offer(v(2), false)).isEqualTo(Verdict.CANDIDATE);
        assertThat(install(s, 1)).isEqualTo(2);
    }

    @Test
    void loadsOnlyTheLastDecisionOfABurst() {
        ModelSelection s = publishedUpTo(5);
        assertThat(install(s, 0)).isEqualTo(5);
        assertThat(s.take(5)).as("the older announcements of the burst are dropped once v5 serves").isNull();
    }

    @Test
    void neverRollsBackOnALateAnnouncementOfAnOlderVersion() {
        ModelSelection s = serving(3);
        assertThat(s.offer(v(2), false)).isEqualTo(Verdict.OLDER);
        assertThat(s.offer(v(3), false)).as("a repeated announcement").isEqualTo(Verdict.OLDER);
        assertThat(s.take(3)).isNull();
        assertThat(s.highestInstalled()).isEqualTo(3);
    }

    @Test
    void followsAPromotionBackAndForwardAgainOnTheNextNewVersion() {
        ModelSelection s = serving(5);
        assertThat(s.offer(v(2), true)).isEqualTo(Verdict.CANDIDATE);
        Candidate promoted = s.take(5);
        assertThat(promoted.promoted()).isTrue();
        assertThat(promoted.manifest().version()).isEqualTo(2);
        s.installed(promoted);
        // The rollback sticks: a re-announcement of v5 is not news...
        assertThat(s.offer(v(5), false)).isEqualTo(Verdict.OLDER);
        assertThat(s.take(2)).isNull();
        // ...but a newly published version is.
        assertThat(s.offer(v(6), false)).isEqualTo(Verdict.CANDIDATE);
        Candidate next = s.take(2);
        assertThat(next.promoted()).isFalse();
        assertThat(next.manifest().version()).isEqualTo(6);
    }

    @Test
    void aRestartThatReadsAPromotionLastServesThePromotedVersion() {
        ModelSelection s = publishedUpTo(4);
        s.offer(v(2), true);
        assertThat(s.take(0).manifest().version()).isEqualTo(2);
        assertThat(s.take(0)).as("the promotion superseded the announcements before it").isNull();
    }

    @Test
    void promotingTheServingVersionIsANoOp() {
        ModelSelection s = serving(3);
        s.offer(v(3), true);
        assertThat(s.take(3)).isNull();
    }

    @Test
    void aRefusedAnnouncementDoesNotRaiseTheMark() {
        ModelSelection s = serving(2);
        // A poison manifest far above any real version: tried, refused (not reported installed)...
        assertThat(s.offer(v(1L << 62), false)).isEqualTo(Verdict.CANDIDATE);
        assertThat(s.take(2).manifest().version()).isEqualTo(1L << 62);
        assertThat(s.highestInstalled()).isEqualTo(2);
        // ...and the next good version is still news.
        assertThat(s.offer(v(3), false)).isEqualTo(Verdict.CANDIDATE);
        assertThat(install(s, 2)).isEqualTo(3);
    }

    @Test
    void aRefusedCandidateMakesWayForTheOneBeforeIt() {
        ModelSelection s = publishedUpTo(3);
        s.offer(v(1L << 62), false);
        assertThat(s.take(0).manifest().version()).as("the poison is tried first").isEqualTo(1L << 62);
        assertThat(install(s, 0)).as("then the highest real version: a fresh instance becomes ready").isEqualTo(3);
        assertThat(s.take(3)).isNull();
    }

    @Test
    void keepsOnlyTheHighestCandidatesOfALongBurst() {
        ModelSelection s = publishedUpTo(100);
        assertThat(s.pending()).isEqualTo(ModelSelection.MAX_CANDIDATES);
        long lowest = 100;
        Candidate c;
        while ((c = s.take(0)) != null) {
            lowest = c.manifest().version();
        }
        assertThat(lowest).isEqualTo(100 - ModelSelection.MAX_CANDIDATES + 1);
    }

    @Test
    void refusesAnnouncementsOfAnotherStoreOnceAVersionServes() {
        ModelSelection s = new ModelSelection();
        s.offer(v(7, "store-a"), false);
        assertThat(install(s, 0)).isEqualTo(7);
        assertThat(s.storeId()).isEqualTo("store-a");
        // A re-created store restarts at 1; a second trainer's store counts on its own: neither is compared.
        assertThat(s.offer(v(1, "store-b"), false)).isEqualTo(Verdict.OTHER_STORE);
        assertThat(s.offer(v(9, "store-b"), false)).isEqualTo(Verdict.OTHER_STORE);
        assertThat(s.take(7)).isNull();
        assertThat(s.offer(v(8, "store-a"), false)).isEqualTo(Verdict.CANDIDATE);
        // Manifests before format v3 carry no store id and are judged by version alone.
        assertThat(s.offer(v(9), false)).isEqualTo(Verdict.CANDIDATE);
        assertThat(install(s, 7)).isEqualTo(9);
    }

    @Test
    void anOperatorMayPromoteAVersionOfAnotherStore() {
        ModelSelection s = new ModelSelection();
        s.offer(v(7, "store-a"), false);
        install(s, 0);
        assertThat(s.offer(v(1, "store-b"), true)).isEqualTo(Verdict.CANDIDATE);
        assertThat(install(s, 7)).isEqualTo(1);
        assertThat(s.storeId()).isEqualTo("store-b");
        // From now on versions count in store-b: its v2 is news, store-a's are the other store's.
        assertThat(s.offer(v(1, "store-b"), false)).isEqualTo(Verdict.OLDER);
        assertThat(s.offer(v(8, "store-a"), false)).isEqualTo(Verdict.OTHER_STORE);
        assertThat(s.offer(v(2, "store-b"), false)).isEqualTo(Verdict.CANDIDATE);
        assertThat(install(s, 1)).isEqualTo(2);
    }

    @Test
    void refusesASecondLineageOfTheSameStoreUntilAnOperatorPromotesIt() {
        ModelSelection s = new ModelSelection();
        s.offer(v(3, "store", "lineage-a"), false);
        assertThat(install(s, 0)).isEqualTo(3);
        assertThat(s.lineageId()).isEqualTo("lineage-a");
        // A second trainer (or a --fresh restart) publishes into the same store: its versions are higher, not newer.
        assertThat(s.offer(v(4, "store", "lineage-b"), false)).isEqualTo(Verdict.OTHER_LINEAGE);
        assertThat(s.take(3)).isNull();
        assertThat(s.offer(v(5, "store", "lineage-a"), false)).isEqualTo(Verdict.CANDIDATE);
        assertThat(install(s, 3)).isEqualTo(5);
        // Manifests before format v4 have no lineage and are not checked.
        assertThat(s.offer(v(6, "store"), false)).isEqualTo(Verdict.CANDIDATE);
        assertThat(install(s, 5)).isEqualTo(6);
        assertThat(s.lineageId()).isEqualTo("lineage-a");

        assertThat(s.offer(v(4, "store", "lineage-b"), true)).isEqualTo(Verdict.CANDIDATE);
        assertThat(install(s, 6)).isEqualTo(4);
        assertThat(s.lineageId()).as("the promotion moves serving to the new lineage").isEqualTo("lineage-b");
        assertThat(s.offer(v(7, "store", "lineage-a"), false)).isEqualTo(Verdict.OTHER_LINEAGE);
        assertThat(s.offer(v(8, "store", "lineage-b"), false)).isEqualTo(Verdict.CANDIDATE);
        assertThat(install(s, 4)).isEqualTo(8);
    }
}
