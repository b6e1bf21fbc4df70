package io.streamlearn.serving.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamlearn.core.snapshot.SnapshotManifest;
import io.streamlearn.serving.model.ModelSelection.Candidate;
import io.streamlearn.serving.model.ModelSelection.Role;
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
    void followsAPromotionBackAndTakesTheNextNewVersionAsChallenger() {
        ModelSelection s = serving(5);
        assertThat(s.offer(v(2), true)).isEqualTo(Verdict.CANDIDATE);
        Candidate promoted = s.take(5);
        assertThat(promoted.promoted()).isTrue();
        assertThat(promoted.manifest().version()).isEqualTo(2);
        s.installed(promoted);
        // The rollback sticks: a re-announcement of v5 is not news...
        assertThat(s.offer(v(5), false)).isEqualTo(Verdict.OLDER);
        assertThat(s.take(2)).isNull();
        // ...but a newly published version is: it enters as challenger, so the rollback is not undone.
        assertThat(s.offer(v(6), false)).isEqualTo(Verdict.CANDIDATE);
        Candidate next = s.take(2);
        assertThat(next.promoted()).isFalse();
        assertThat(next.manifest().version()).isEqualTo(6);
        assertThat(next.role()).isEqualTo(Role.CHALLENGER);
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

    /** Takes the next candidate with both slots given, reports it installed, and returns it. */
    private static Candidate installBoth(ModelSelection s, long champion, long challenger) {
        Candidate c = s.take(champion, challenger);
        s.installed(c);
        return c;
    }

    private static ModelSelection shadow() {
        return new ModelSelection(new ChallengerRule(ChallengerRule.Mode.SHADOW, 0.1));
    }

    @Test
    void withTheRuleOnTheFirstVersionIsChampionAndLaterOnesChallengers() {
        ModelSelection s = shadow();
        s.offer(v(1), false);
        Candidate first = installBoth(s, 0, 0);
        assertThat(first.manifest().version()).isEqualTo(1);
        assertThat(first.role()).isEqualTo(Role.CHAMPION);
        s.offer(v(2), false);
        Candidate second = installBoth(s, 1, 0);
        assertThat(second.manifest().version()).isEqualTo(2);
        assertThat(second.role()).isEqualTo(Role.CHALLENGER);
        s.offer(v(3), false);
        Candidate third = installBoth(s, 1, 2);
        assertThat(third.manifest().version()).as("the newest version replaces the challenger").isEqualTo(3);
        assertThat(third.role()).isEqualTo(Role.CHALLENGER);
        assertThat(s.take(1, 3)).isNull();
    }

    /** A shadow-mode selection whose first version, v1, was installed as the champion. */
    private static ModelSelection shadowServingV1() {
        ModelSelection s = shadow();
        s.offer(v(1), false);
        assertThat(installBoth(s, 0, 0).role()).isEqualTo(Role.CHAMPION);
        return s;
    }

    @Test
    void withTheRuleOnOnlyAPromotionMakesAChampion() {
        ModelSelection s = shadowServingV1();
        s.offer(v(2), false);
        installBoth(s, 1, 0);
        assertThat(s.offer(v(2), true)).isEqualTo(Verdict.CANDIDATE);
        Candidate promoted = installBoth(s, 1, 2);
        assertThat(promoted.manifest().version()).isEqualTo(2);
        assertThat(promoted.role()).isEqualTo(Role.CHAMPION);
        assertThat(s.rolledBack()).as("v2 is the newest published: no rollback").isFalse();
        s.offer(v(3), false);
        assertThat(installBoth(s, 2, 0).role()).isEqualTo(Role.CHALLENGER);
    }

    @Test
    void aRestartWithTheRuleOnReDerivesChampionAndChallengerFromTheHistory() {
        ModelSelection fresh = shadow();
        for (long i = 1; i <= 3; i++) {
            fresh.offer(v(i), false);
        }
        Candidate champion = installBoth(fresh, 0, 0);
        assertThat(champion.manifest().version()).as("never promoted: the first version is still the champion")
                .isEqualTo(1);
        assertThat(champion.role()).isEqualTo(Role.CHAMPION);
        Candidate challenger = installBoth(fresh, 1, 0);
        assertThat(challenger.manifest().version()).isEqualTo(3);
        assertThat(challenger.role()).isEqualTo(Role.CHALLENGER);
        assertThat(fresh.take(1, 3)).isNull();

        ModelSelection promoted = shadow();
        promoted.offer(v(1), false);
        promoted.offer(v(2), false);
        promoted.offer(v(2), true);
        promoted.offer(v(3), false);
        promoted.offer(v(4), false);
        Candidate c = installBoth(promoted, 0, 0);
        assertThat(c.manifest().version()).isEqualTo(2);
        assertThat(c.role()).isEqualTo(Role.CHAMPION);
        c = installBoth(promoted, 2, 0);
        assertThat(c.manifest().version()).isEqualTo(4);
        assertThat(c.role()).isEqualTo(Role.CHALLENGER);
        assertThat(promoted.take(2, 4)).isNull();
    }

    @Test
    void aRefusedChallengerIsStoppedAndNeverTakenAgainUnlessPromoted() {
        ModelSelection s = shadowServingV1();
        s.offer(v(2), false);
        assertThat(installBoth(s, 1, 0).role()).isEqualTo(Role.CHALLENGER);
        s.refuse(v(2));
        assertThat(s.refuses(v(2))).as("the running challenger is to stop").isTrue();
        assertThat(s.refuses(v(1))).as("older versions of its lineage too").isTrue();
        s.offer(v(2), false);
        assertThat(s.take(1, 0)).as("announced again, still refused").isNull();
        s.offer(v(3), false);
        Candidate three = installBoth(s, 1, 0);
        assertThat(three.manifest().version()).as("a newer version challenges as usual").isEqualTo(3);
        assertThat(s.refuses(three.manifest())).isFalse();
        s.offer(v(2), true);
        assertThat(installBoth(s, 1, 3).role()).as("an operator may still promote it").isEqualTo(Role.CHAMPION);
    }

    @Test
    void aRestartThatReadsTheRefusalInAnyOrderNeverTakesTheRefusedVersion() {
        for (boolean refusalFirst : new boolean[] {true, false}) {
            ModelSelection s = shadow();
            if (refusalFirst) {
                // Another key, maybe another partition: the refusal can be read before the manifests.
                s.refuse(v(3));
            }
            for (long i = 1; i <= 3; i++) {
                s.offer(v(i), false);
            }
            if (!refusalFirst) {
                s.refuse(v(3));
            }
            assertThat(installBoth(s, 0, 0).manifest().version()).isEqualTo(1);
            assertThat(s.take(1, 0)).as("v3 refused and v2 older than it: no challenger").isNull();
            s.offer(v(4), false);
            assertThat(installBoth(s, 1, 0).manifest().version()).isEqualTo(4);
        }
    }

    @Test
    void anOlderRefusalDoesNotLowerTheMarkButAnotherLineagesReplacesIt() {
        ModelSelection s = shadow();
        s.refuse(v(5, "store", "a"));
        s.refuse(v(3, "store", "a"));
        assertThat(s.refuses(v(5, "store", "a"))).isTrue();
        s.refuse(v(1, "store", "b"));
        assertThat(s.refuses(v(1, "store", "b"))).isTrue();
        assertThat(s.refuses(v(2, "store", "b"))).isFalse();
        assertThat(s.refuses(v(1, "other-store", "b"))).as("another store's v1 is another version").isFalse();
    }

    @Test
    void afterARollbackNewVersionsAreChallengersUntilOneIsPromoted() {
        ModelSelection s = publishedUpTo(5);
        installBoth(s, 0, 0);
        s.offer(v(3), true);
        assertThat(installBoth(s, 5, 0).manifest().version()).isEqualTo(3);
        assertThat(s.rolledBack()).isTrue();
        s.offer(v(6), false);
        Candidate six = installBoth(s, 3, 0);
        assertThat(six.role()).isEqualTo(Role.CHALLENGER);
        s.offer(v(6), true);
        assertThat(installBoth(s, 3, 6).role()).isEqualTo(Role.CHAMPION);
        assertThat(s.rolledBack()).as("the newest version was promoted").isFalse();
        s.offer(v(7), false);
        assertThat(installBoth(s, 6, 0).role()).as("rule off again: the next version serves at once")
                .isEqualTo(Role.CHAMPION);
    }

    @Test
    void aPromotionIsARollbackWhenTheStoreHoldsANewerVersionThanTheTopicShows() {
        // After compaction only the promotion may be left on the topic; the store still knows v5.
        ModelSelection s = new ModelSelection();
        s.published(5);
        s.offer(v(3), true);
        assertThat(installBoth(s, 0, 0).manifest().version()).isEqualTo(3);
        assertThat(s.rolledBack()).isTrue();
        s.offer(v(6), false);
        assertThat(installBoth(s, 3, 0).role()).isEqualTo(Role.CHALLENGER);
    }

    @Test
    void promotingAnotherStoresOrLineagesVersionIsNoRollback() {
        ModelSelection s = new ModelSelection();
        s.offer(v(7, "store", "lineage-a"), false);
        installBoth(s, 0, 0);
        s.offer(v(2, "store", "lineage-b"), true);
        installBoth(s, 7, 0);
        assertThat(s.rolledBack()).isFalse();
        // Versions of one store count on across lineages: lineage-b's next is v8.
        s.offer(v(8, "store", "lineage-b"), false);
        assertThat(installBoth(s, 2, 0).role()).isEqualTo(Role.CHAMPION);
    }

    @Test
    void withTheRuleOnPromotingAnOlderVersionKeepsTheNewerChallengerLiveAndAfterARestart() {
        ModelSelection live = shadowServingV1();
        live.offer(v(2), false);
        live.offer(v(3), false);
        assertThat(installBoth(live, 1, 0).manifest().version()).isEqualTo(3);
        live.offer(v(2), true);
        Candidate promoted = installBoth(live, 1, 3);
        assertThat(promoted.manifest().version()).isEqualTo(2);
        assertThat(live.take(2, 3)).as("v3 stays the challenger").isNull();

        ModelSelection restarted = shadow();
        restarted.offer(v(1), false);
        restarted.offer(v(2), false);
        restarted.offer(v(3), false);
        restarted.offer(v(2), true);
        assertThat(installBoth(restarted, 0, 0).manifest().version()).isEqualTo(2);
        Candidate challenger = installBoth(restarted, 2, 0);
        assertThat(challenger.manifest().version()).isEqualTo(3);
        assertThat(challenger.role()).isEqualTo(Role.CHALLENGER);
    }
}
