package io.streamlearn.ingest.source;

import java.nio.file.Path;
import java.util.List;

/**
 * Settings of the sources that need them (CSV columns, generator parameters); each kind reads only its
 * own. Build with {@code SourceOptions.builder().optLabelColumn("species").build()}; immutable after that.
 */
public final class SourceOptions {
    private final String labelColumn;
    private final String targetColumn;
    private final List<String> featureColumns;
    private final String idColumn;
    private final Path labelMap;
    private final Integer featureCount;
    private final Integer classes;
    private final double classSep;
    private final long seed;
    private final long length;
    private final long driftAt;
    private final FashionDrift.Kind driftKind;
    private final double driftSpeed;
    private final long conceptLength;
    private final Double noise;
    private final int centroids;
    private final String idxData;

    private SourceOptions(Builder b) {
        this.labelColumn = b.labelColumn;
        this.targetColumn = b.targetColumn;
        this.featureColumns = b.featureColumns == null ? null : List.copyOf(b.featureColumns);
        this.idColumn = b.idColumn;
        this.labelMap = b.labelMap;
        this.featureCount = b.featureCount;
        this.classes = b.classes;
        this.classSep = b.classSep;
        this.seed = b.seed;
        this.length = b.length;
        this.driftAt = b.driftAt;
        this.driftKind = b.driftKind;
        this.driftSpeed = b.driftSpeed;
        this.conceptLength = b.conceptLength;
        this.noise = b.noise;
        this.centroids = b.centroids;
        this.idxData = b.idxData;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Defaults for everything. */
    public static SourceOptions defaults() {
        return builder().build();
    }

    public String labelColumn() {
        return labelColumn;
    }

    /** CSV: a regression model's target column, or null. */
    public String targetColumn() {
        return targetColumn;
    }

    public List<String> featureColumns() {
        return featureColumns;
    }

    public String idColumn() {
        return idColumn;
    }

    public Path labelMap() {
        return labelMap;
    }

    /** Generator feature count, or null for the kind's default. */
    public Integer featureCount() {
        return featureCount;
    }

    /** Generator class count, or null for the kind's default. */
    public Integer classes() {
        return classes;
    }

    public double classSep() {
        return classSep;
    }

    public long seed() {
        return seed;
    }

    /** Examples a generator produces, Long.MAX_VALUE for endless. */
    public long length() {
        return length;
    }

    public long driftAt() {
        return driftAt;
    }

    public FashionDrift.Kind driftKind() {
        return driftKind;
    }

    public double driftSpeed() {
        return driftSpeed;
    }

    public long conceptLength() {
        return conceptLength;
    }

    /** Label noise, or null for the kind's default. */
    public Double noise() {
        return noise;
    }

    public int centroids() {
        return centroids;
    }

    public String idxData() {
        return idxData;
    }

    /** Builder of {@link SourceOptions}; every setting is optional. */
    public static final class Builder {
        private String labelColumn;
        private String targetColumn;
        private List<String> featureColumns;
        private String idColumn;
        private Path labelMap;
        private Integer featureCount;
        private Integer classes;
        private double classSep = 2.0;
        private long seed = 42;
        private long length = Long.MAX_VALUE;
        private long driftAt = 30_000;
        private FashionDrift.Kind driftKind = FashionDrift.Kind.PERMUTE;
        private double driftSpeed = 0.001;
        private long conceptLength = 10_000;
        private Double noise;
        private int centroids = 50;
        private String idxData = "fashion-mnist/train";

        private Builder() {}

        /** CSV: the label column (required for csv). */
        public Builder optLabelColumn(String column) {
            this.labelColumn = column;
            return this;
        }

        /** CSV: a regression model's target column (numbers), instead of the label column. */
        public Builder optTargetColumn(String column) {
            this.targetColumn = column;
            return this;
        }

        /** CSV: feature columns in order; null (default) for every column but the label and id. */
        public Builder optFeatureColumns(List<String> columns) {
            this.featureColumns = columns;
            return this;
        }

        /** CSV: the id column; default none, ids are {@code <file>-<line>}. */
        public Builder optIdColumn(String column) {
            this.idColumn = column;
            return this;
        }

        /** CSV: file recording a categorical label's classes (written once, then read). */
        public Builder optLabelMap(Path file) {
            this.labelMap = file;
            return this;
        }

        /** Generators: feature count (classification 20, hyperplane 10, rbf 10; sea has 3). */
        public Builder optFeatureCount(int count) {
            this.featureCount = count;
            return this;
        }

        /** Generators: class count (classification 4, rbf 2; hyperplane and sea have 2). */
        public Builder optClasses(int count) {
            this.classes = count;
            return this;
        }

        /** classification: half the distance between class centroids. */
        public Builder optClassSep(double sep) {
            this.classSep = sep;
            return this;
        }

        /** Seed of every generator and of the fashion-drift label permutation. */
        public Builder optSeed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Examples a generator produces; default endless. */
        public Builder optLength(long length) {
            if (length < 0) {
                throw new IllegalArgumentException("source length " + length + " must be >= 0");
            }
            this.length = length;
            return this;
        }

        /** fashion-drift: index of the first changed example (default 30000, the middle of train). */
        public Builder optDriftAt(long at) {
            this.driftAt = at;
            return this;
        }

        /** fashion-drift: permute labels (default) or rotate images. */
        public Builder optDriftKind(FashionDrift.Kind kind) {
            this.driftKind = kind;
            return this;
        }

        /** hyperplane: weight change per example; rbf: centroid speed per example (default 0.001). */
        public Builder optDriftSpeed(double speed) {
            this.driftSpeed = speed;
            return this;
        }

        /** sea: examples per concept before the threshold changes (default 10000). */
        public Builder optConceptLength(long length) {
            this.conceptLength = length;
            return this;
        }

        /** hyperplane (default 0.05), sea (default 0.1): probability a label is flipped. */
        public Builder optNoise(double noise) {
            this.noise = noise;
            return this;
        }

        /** rbf: number of centroids (default 50). */
        public Builder optCentroids(int centroids) {
            this.centroids = centroids;
            return this;
        }

        /** fashion-drift: the IDX set, as {@code idx:} accepts it (default fashion-mnist/train). */
        public Builder optIdxData(String pathOrName) {
            this.idxData = pathOrName;
            return this;
        }

        public SourceOptions build() {
            return new SourceOptions(this);
        }
    }
}
