package io.streamlearn.ingest.source;

import io.streamlearn.core.example.Example;
import io.streamlearn.core.example.Features;
import java.util.SplittableRandom;

/**
 * Fashion-MNIST (or any IDX set) with one abrupt concept change: from example {@code at} on, labels are
 * permuted by a seeded derangement ({@link Kind#PERMUTE}) or images are rotated 90 degrees clockwise
 * ({@link Kind#ROTATE}). Ids get the suffix {@code -d} after the change so the two concepts never share one.
 */
public final class FashionDrift implements ExampleSource {
    /** What changes at the drift position. */
    public enum Kind { PERMUTE, ROTATE }

    private final IdxSource inner;
    private final long at;
    private final Kind kind;
    private final int[] permutation;
    private long index;

    /**
     * @param inner the IDX set (its images must be square for {@link Kind#ROTATE})
     * @param at    index of the first changed example
     * @param seed  seed of the label permutation
     */
    public FashionDrift(IdxSource inner, long at, Kind kind, int classes, long seed) {
        if (at < 0) {
            throw new IllegalArgumentException("fashion-drift position " + at + " must be >= 0 (--drift-at)");
        }
        if (kind == Kind.ROTATE && inner.rows() != inner.cols()) {
            inner.close();
            throw new IllegalArgumentException("fashion-drift rotate needs square images, got " + inner.rows() + "x"
                    + inner.cols());
        }
        this.inner = inner;
        this.at = at;
        this.kind = kind;
        this.permutation = derangement(classes, seed);
    }

    /** A seeded permutation of 0..n-1 that moves every class, so a change is visible on every label. */
    public static int[] derangement(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] p = new int[n];
        // Sattolo's algorithm: a uniformly random cyclic permutation, which has no fixed point.
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /** The label that class {@code c} is given after the change. */
    public int permuted(int c) {
        return c < permutation.length ? permutation[c] : c;
    }

    @Override
    public boolean hasNext() {
        return inner.hasNext();
    }

    @Override
    public SourceRecord nextRecord() {
        SourceRecord r = inner.nextRecord();
        long i = index++;
        if (r.isMalformed() || i < at) {
            return r;
        }
        Example e = r.example();
        Example changed = kind == Kind.PERMUTE
                ? Example.labeled(e.id() + "-d", e.features(), permuted(e.label()))
                : Example.labeled(e.id() + "-d", Features.ofUint8(rotate(((Features.Uint8) e.features()).values(),
                        inner.rows())), e.label());
        return SourceRecord.parsed(changed, null, null, r.position() + " (after drift at " + at + ")");
    }

    static byte[] rotate(byte[] img, int n) {
        byte[] out = new byte[img.length];
        for (int r = 0; r < n; r++) {
            for (int c = 0; c < n; c++) {
                out[c * n + (n - 1 - r)] = img[r * n + c];
            }
        }
        return out;
    }

    @Override
    public Example next() {
        SourceRecord r = nextRecord();
        if (r.isMalformed()) {
            throw new MalformedRecordException(r);
        }
        return r.example();
    }

    @Override
    public String position() {
        return inner.position();
    }

    @Override
    public long sizeHint() {
        return inner.sizeHint();
    }

    @Override
    public void close() {
        inner.close();
    }
}
