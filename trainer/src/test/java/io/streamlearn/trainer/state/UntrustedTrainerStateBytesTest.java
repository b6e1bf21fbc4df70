package io.streamlearn.trainer.state;

import io.streamlearn.core.example.Example;
import io.streamlearn.core.example.Features;
import io.streamlearn.core.testkit.UntrustedBytes;
import io.streamlearn.trainer.learn.LearningMetrics;
import java.nio.ByteBuffer;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The trainer-state decoder on corrupt blobs (a damaged checkpoint or state file): a state or the documented
 * {@link IllegalStateException}, never {@code NegativeArraySizeException} or {@code OutOfMemoryError}, and no
 * declared class count, length or example count allocates more than the blob holds.
 */
class UntrustedTrainerStateBytesTest {
    /** "SLTS" and format 1: arbitrary bytes behind it reach the counts and lengths. */
    private static final byte[] HEADER = ByteBuffer.allocate(8).putInt(0x534C5453)
            .putInt(TrainerState.FORMAT_VERSION).array();

    @Property(tries = 10_000, seed = "16")
    void decoderReturnsAStateOrRefusesWithIllegalStateException(@ForAll("untrusted") byte[] blob) {
        UntrustedBytes.assertDecodesOrRefuses(blob, IllegalStateException.class, TrainerState::decode);
    }

    @Provide
    Arbitrary<byte[]> untrusted() {
        return UntrustedBytes.untrusted(states().map(TrainerState::encode), HEADER);
    }

    private static Arbitrary<TrainerState> states() {
        Arbitrary<byte[]> blobs = Arbitraries.bytes().array(byte[].class).ofMaxSize(32);
        Arbitrary<Example> examples = Combinators.combine(Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(8),
                Arbitraries.floats().between(-10f, 10f).array(float[].class).ofMinSize(1).ofMaxSize(8),
                Arbitraries.integers().between(0, 9))
                .as((id, values, label) -> Example.labeled(id, Features.ofFloats(values), label));
        return Combinators.combine(blobs, blobs, Arbitraries.integers().between(1, 12), examples.list().ofMaxSize(4),
                Arbitraries.longs().between(0, 1_000), blobs)
                .as((params, optimizer, classes, buffered, parent, drift) -> {
                    LearningMetrics m = new LearningMetrics(classes);
                    m.examples = parent * 100;
                    m.tp[classes - 1] = 1.5;
                    return new TrainerState(params, optimizer, m, buffered, parent, drift, "lineage-" + parent);
                });
    }
}
