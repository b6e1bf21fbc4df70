package io.streamlearn.trainer.join;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamlearn.trainer.decode.RawRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The label join's rules for one id, driven by hand: event times and watermarks are plain numbers. */
class JoinRulesTest {
    private static final long W = 10_000;

    private final JoinRules rules = new JoinRules(W);
    private final JoinRules.Seen seen = new JoinRules.Seen();
    private final JoinRules.Open open = new JoinRules.Open();
    private final Recorder out = new Recorder();

    /** Every outcome reported, as text, in order. */
    private static final class Recorder implements JoinRules.Outcomes {
        final List<String> events = new ArrayList<>();
        final List<String> reasons = new ArrayList<>();

        @Override
        public void joined(JoinInput label, RawRecord request) {
            events.add("joined " + label.label + " with " + request.topic + "/" + request.offset);
        }

        @Override
        public void dropped(JoinInput label, LabelOutcome outcome, String reason) {
            events.add(outcome.word() + " " + label.label);
            reasons.add(reason);
        }

        @Override
        public void repeatedRequest(JoinInput request) {
            events.add("repeated request");
        }

        @Override
        public void expiredRequest() {
            events.add("expired request");
        }
    }

    private static JoinInput request(long at, long offset) {
        return JoinInput.request("r1", at, new RawRecord("requests", 0, offset, null, new byte[0], null));
    }

    private static JoinInput label(int label, long at) {
        return JoinInput.label("r1", label, at, new RawRecord("feedback", 0, 0, null, new byte[0], null));
    }

    @Test
    void joinsALabelWithinTheWindowAfterItsRequestAndForgetsTheRequestsFeatures() {
        rules.onRequest(seen, open, request(1_000, 7), out);
        rules.onLabel(seen, open, label(3, 1_000 + W), out);
        assertThat(out.events).containsExactly("joined 3 with requests/7");
        assertThat(open.isEmpty()).as("nothing waits for the watermark any more").isTrue();
        rules.onWatermark(open, 1_000 + W, out);
        assertThat(out.events).as("a joined request does not expire as unlabeled").hasSize(1);
    }

    @Test
    void aLabelThatComesBeforeItsRequestWaitsAndJoinsWhenTheRequestComes() {
        rules.onLabel(seen, open, label(2, 5_000), out);
        assertThat(out.events).isEmpty();
        rules.onWatermark(open, 5_000 + W - 1, out);
        assertThat(out.events).as("the window of the label is still open").isEmpty();
        rules.onRequest(seen, open, request(4_000, 9), out);
        assertThat(out.events).containsExactly("joined 2 with requests/9");
    }

    @Test
    void aLabelMoreThanTheWindowAfterItsRequestIsLate() {
        rules.onRequest(seen, open, request(1_000, 0), out);
        rules.onLabel(seen, open, label(1, 1_001 + W), out);
        assertThat(out.events).containsExactly("late 1");
        assertThat(out.reasons.get(0)).startsWith("late label for r1: 10001 ms after its request");
    }

    @Test
    void aLabelWithinTheWindowThatArrivesAfterTheWindowClosedIsLate() {
        rules.onRequest(seen, open, request(1_000, 0), out);
        rules.onWatermark(open, 1_000 + W, out);
        rules.onLabel(seen, open, label(1, 2_000), out);
        assertThat(out.events).containsExactly("expired request", "late 1");
        assertThat(out.reasons.get(0)).contains("window of 10000 ms closed before the label came");
    }

    @Test
    void aLabelWithoutARequestWithinTheWindowIsUnmatchedWhenTheWindowPasses() {
        rules.onLabel(seen, open, label(4, 5_000), out);
        rules.onWatermark(open, 5_000 + W, out);
        assertThat(out.events).containsExactly("unmatched 4");
        assertThat(open.isEmpty()).isTrue();
        rules.onRequest(seen, open, request(6_000, 0), out);
        assertThat(open.isEmpty()).as("a request after its label was decided waits for nothing").isTrue();
    }

    @Test
    void aLabelWhoseRequestComesMoreThanTheWindowAfterItIsUnmatched() {
        rules.onLabel(seen, open, label(4, 5_000), out);
        rules.onRequest(seen, open, request(5_001 + W, 0), out);
        assertThat(out.events).containsExactly("unmatched 4");
    }

    @Test
    void theSameLabelAgainIsADuplicateAndAnotherLabelIsContradictoryBothDroppedTheFirstWins() {
        rules.onRequest(seen, open, request(1_000, 0), out);
        rules.onLabel(seen, open, label(3, 2_000), out);
        rules.onLabel(seen, open, label(3, 2_500), out);
        rules.onLabel(seen, open, label(5, 3_000), out);
        assertThat(out.events).containsExactly("joined 3 with requests/0", "duplicate 3", "contradictory 5");
        assertThat(out.reasons.get(1)).contains("first label was 3, which wins");
        assertThat(seen.firstLabel).isEqualTo(3);
    }

    @Test
    void aSecondLabelWhileTheFirstWaitsForItsRequestIsJudgedAgainstTheFirst() {
        rules.onLabel(seen, open, label(3, 2_000), out);
        rules.onLabel(seen, open, label(6, 2_100), out);
        assertThat(open.pendingLabel.label).as("the first label waits").isEqualTo(3);
        rules.onRequest(seen, open, request(1_500, 1), out);
        assertThat(out.events).containsExactly("contradictory 6", "joined 3 with requests/1");
    }

    @Test
    void aRepeatedRequestIsIgnoredAndTheFirstOneJoins() {
        rules.onRequest(seen, open, request(1_000, 1), out);
        rules.onRequest(seen, open, request(1_200, 2), out);
        rules.onLabel(seen, open, label(0, 1_500), out);
        assertThat(out.events).containsExactly("repeated request", "joined 0 with requests/1");
        assertThat(seen.requestAtMs).as("the first request's time").isEqualTo(1_000);
    }

    @Test
    void aRequestWithoutALabelExpiresWhenItsWindowCloses() {
        rules.onRequest(seen, open, request(1_000, 1), out);
        rules.onWatermark(open, 1_000 + W - 1, out);
        assertThat(out.events).isEmpty();
        rules.onWatermark(open, 1_000 + W, out);
        assertThat(out.events).containsExactly("expired request");
        assertThat(open.isEmpty()).isTrue();
    }

    @Test
    void everyLabelReceivedGetsExactlyOneOutcome() {
        JoinRules.Seen[] seens = new JoinRules.Seen[5];
        JoinRules.Open[] opens = new JoinRules.Open[5];
        for (int i = 0; i < 5; i++) {
            seens[i] = new JoinRules.Seen();
            opens[i] = new JoinRules.Open();
        }
        // id 0 joins, 1 is late, 2 unmatched, 3 joins then gets a duplicate and a contradiction, 4 waits.
        long[][] script = {{0, 1_000, 2_000}, {1, 1_000, 1_000 + 2 * W}, {2, -1, 3_000}, {3, 1_000, 1_500},
                {4, -1, 100_000}, {3, -1, 1_600}, {3, -1, 1_700}};
        int received = 0;
        for (long[] s : script) {
            int id = (int) s[0];
            if (s[1] >= 0) {
                rules.onRequest(seens[id], opens[id], request(s[1], id), out);
            }
            received++;
            rules.onLabel(seens[id], opens[id], label(received == 7 ? 2 : 1, s[2]), out);
        }
        for (JoinRules.Open o : opens) {
            rules.onWatermark(o, 3_000 + W, out);
        }
        Map<String, Long> outcomes = out.events.stream().filter(e -> !e.endsWith("request"))
                .collect(Collectors.groupingBy(e -> e.split(" ")[0], Collectors.counting()));
        assertThat(outcomes).containsExactlyInAnyOrderEntriesOf(Map.of("joined", 2L, "late", 1L, "unmatched", 1L,
                "duplicate", 1L, "contradictory", 1L));
        assertThat(opens[4].pendingLabel).as("id 4's label waits for its window").isNotNull();
        assertThat(outcomes.values().stream().mapToLong(Long::longValue).sum() + 1).isEqualTo(received);
    }

    @Test
    void theTallySaysHowTheLabelsAddUpAndSurvivesItsCheckpointedForm() {
        JoinTally tally = new JoinTally();
        for (LabelOutcome o : LabelOutcome.values()) {
            for (int i = 0; i <= o.ordinal(); i++) {
                tally.labelReceived();
                tally.outcome(o);
            }
        }
        tally.labelReceived();
        tally.requestReceived();
        tally.requestExpired();
        assertThat(tally.summary()).isEqualTo("16 labels = 1 joined + 2 late + 3 unmatched + 4 duplicate + "
                + "5 contradictory + 1 waiting; 1 requests (0 repeated, 1 expired without a label)");
        assertThat(JoinTally.fromArray(tally.toArray()).summary()).isEqualTo(tally.summary());
        assertThat(JoinTally.fromMetrics(name -> name.equals("join_labels_late") ? 7 : 0).count(LabelOutcome.LATE))
                .isEqualTo(7);
    }
}
