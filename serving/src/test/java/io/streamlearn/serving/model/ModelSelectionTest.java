package io.streamlearn.serving.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamlearn.core.snapshot.SnapshotManifest;
import org.junit.jupiter.api.Test;

class ModelSelectionTest {

    private static SnapshotManifest v(long version) {
        return new SnapshotManifest(SnapshotManifest.FORMAT, "mlp", version, 1000 * version, 0, 0, -1, version - 1,
                "mlp-0000.params", "00", "PyTorch", "cpu", null, null);
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
        s.take(0);
        return s;
    }

    @Test
    void followsEachNewerPublishedVersion() {
        ModelSelection s = new ModelSelection();
        assertThat(s.take(0)).isNull();
        assertThat(s.offer(v(1), false)).isTrue();
        assertThat(s.take(0).version()).isEqualTo(1);
        assertThat(s.take(1)).as("each decision is tried once").isNull();
        assertThat(s.offer(v(2), false)).isTrue();
        assertThat(s.take(1).version()).isEqualTo(2);
    }

    @Test
    void loadsOnlyTheLastDecisionOfABurst() {
        ModelSelection s = publishedUpTo(5);
        assertThat(s.take(0).version()).isEqualTo(5);
    }

    @Test
    void neverRollsBackOnALateAnnouncementOfAnOlderVersion() {
        ModelSelection s = serving(3);
        assertThat(s.offer(v(2), false)).isFalse();
        assertThat(s.offer(v(3), false)).as("a repeated announcement").isFalse();
        assertThat(s.take(3)).isNull();
        assertThat(s.highestPublished()).isEqualTo(3);
    }

    @Test
    void followsAPromotionBackAndForwardAgainOnTheNextNewVersion() {
        ModelSelection s = serving(5);
        assertThat(s.offer(v(2), true)).isTrue();
        assertThat(s.promoted()).isTrue();
        assertThat(s.take(5).version()).isEqualTo(2);
        // The rollback sticks: a re-announcement of v5 is not news...
        assertThat(s.offer(v(5), false)).isFalse();
        assertThat(s.take(2)).isNull();
        // ...but a newly published version is.
        assertThat(s.offer(v(6), false)).isTrue();
        assertThat(s.promoted()).isFalse();
        assertThat(s.take(2).version()).isEqualTo(6);
    }

    @Test
    void aRestartThatReadsAPromotionLastServesThePromotedVersion() {
        ModelSelection s = publishedUpTo(4);
        s.offer(v(2), true);
        assertThat(s.take(0).version()).isEqualTo(2);
    }

    @Test
    void promotingTheServingVersionIsANoOp() {
        ModelSelection s = serving(3);
        s.offer(v(3), true);
        assertThat(s.take(3)).isNull();
    }
}
