package io.streamlearn.ingest.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamlearn.core.example.Example;
import io.streamlearn.core.example.Features;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class EpochReaderTest {
    /** A source of {@code n} examples that knows its size, reopened at its start for each epoch. */
    private static SourceDefinition source(long n) {
        return new SourceDefinition("counted", () -> new ExampleSource() {
            private long i;

            @Override
            public boolean hasNext() {
                return i < n;
            }

            @Override
            public Example next() {
                return Example.labeled("s-" + i++, Features.ofFloats(1f), 0);
            }

            @Override
            public String position() {
                return "counted #" + (i - 1);
            }

            @Override
            public long sizeHint() {
                return n;
            }
        }, null, null);
    }

    private static List<String> ids(EpochReader reader) {
        List<String> ids = new ArrayList<>();
        reader.readInto(r -> ids.add(r.example().id()));
        return ids;
    }

    @Test
    void readsEveryEpochInOrderAndKnowsTheExpectedCountFromTheSizeHint() {
        EpochReader reader = new EpochReader(source(3), 2, Long.MAX_VALUE, null, () -> false);

        assertThat(reader.expected()).isEqualTo(-1);
        assertThat(ids(reader)).containsExactly("s-0", "s-1", "s-2", "s-0", "s-1", "s-2");
        assertThat(reader.expected()).isEqualTo(6);
    }

    @Test
    void theLimitCountsOverAllEpochs() {
        EpochReader reader = new EpochReader(source(3), 3, 4, null, () -> false);

        assertThat(ids(reader)).containsExactly("s-0", "s-1", "s-2", "s-0");
        assertThat(reader.expected()).isEqualTo(4);
    }

    @Test
    void shufflesEachEpochWithItsOwnSeedTheSameWayEveryTime() {
        List<String> first = ids(new EpochReader(source(20), 2, Long.MAX_VALUE, 7L, () -> false));
        List<String> again = ids(new EpochReader(source(20), 2, Long.MAX_VALUE, 7L, () -> false));

        assertThat(first).isEqualTo(again).hasSize(40);
        assertThat(first.subList(0, 20)).containsExactlyInAnyOrderElementsOf(first.subList(20, 40))
                .isNotEqualTo(first.subList(20, 40));
        assertThat(first.subList(0, 20)).isNotEqualTo(ids(new EpochReader(source(20), 1, Long.MAX_VALUE, null,
                () -> false)));
    }

    @Test
    void aStopRequestEndsTheRunBeforeTheNextEpoch() {
        AtomicBoolean stop = new AtomicBoolean();
        EpochReader reader = new EpochReader(source(2), 5, Long.MAX_VALUE, null, stop::get);
        List<String> ids = new ArrayList<>();

        reader.readInto(r -> {
            ids.add(r.example().id());
            stop.set(true);
        });

        assertThat(ids).containsExactly("s-0", "s-1");
    }
}
