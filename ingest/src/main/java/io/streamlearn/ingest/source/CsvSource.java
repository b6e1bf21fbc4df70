package io.streamlearn.ingest.source;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamlearn.core.example.Example;
import io.streamlearn.core.example.Features;
import io.streamlearn.core.example.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * CSV with a header row: numeric feature columns, a label column and an optional id column. A label
 * column of non-negative integers is used as class indices; any other label column is categorical, each
 * distinct value a class with indices in sorted order. The mapping is {@link #labelClasses()}, and with a
 * label-map file it is written there once and read back on later runs, so train and test files agree. For a
 * regression model a target column of numbers takes the label column's place ({@code --target COLUMN}).
 */
public final class CsvSource extends LineSource {
    static final String TEXT_CSV = "text/csv";

    private final int width;
    private final int labelIndex;
    private final int targetIndex;
    private final int idIndex;
    private final int[] featureIndexes;
    private final List<String> featureNames;
    private final List<String> labelClasses;
    private final Map<String, Integer> classIndex;
    private final int maxLabel;
    private final String idPrefix;

    /** Which columns play which role. */
    public record Columns(String label, List<String> features, String id, Path labelMap, String target) {
        /**
         * @param label    label column; required unless {@code target} is given
         * @param features feature columns, or null for every column but the label (or target) and id
         * @param id       id column, or null for ids {@code <file>-<line>}
         * @param labelMap file recording the class mapping of a categorical label, or null
         * @param target   a regression model's target column (numbers), instead of a label; null for a label
         */
        public Columns {
            if ((label == null || label.isBlank()) == (target == null || target.isBlank())) {
                throw new IllegalArgumentException("csv: name the label column (--label COLUMN) or, for a regression "
                        + "model, the target column (--target COLUMN), one of the two");
            }
            features = features == null ? null : List.copyOf(features);
            if (features != null && features.isEmpty()) {
                throw new IllegalArgumentException("csv: --features names no column; pass COLUMNS or all-but-label");
            }
        }

        /** Columns of a classification file: a label column. */
        public Columns(String label, List<String> features, String id, Path labelMap) {
            this(label, features, id, labelMap, null);
        }
    }

    /** Opens {@code file}; throws {@link SourceException} when it cannot be read or the columns do not match. */
    public CsvSource(Path file, Columns columns) {
        super(file);
        String base = file.getFileName().toString().replaceFirst("\\.csv(\\.gz)?$", "");
        this.idPrefix = base + "-";
        List<String> header = readHeader(file);
        this.width = header.size();
        this.labelIndex = columns.label() == null ? -1 : column(header, columns.label(), "--label");
        this.targetIndex = columns.target() == null ? -1 : column(header, columns.target(), "--target");
        this.idIndex = columns.id() == null ? -1 : column(header, columns.id(), "--id");
        List<String> feats = new ArrayList<>();
        if (columns.features() == null) {
            for (int i = 0; i < header.size(); i++) {
                if (i != labelIndex && i != idIndex && i != targetIndex) {
                    feats.add(header.get(i));
                }
            }
        } else {
            feats.addAll(columns.features());
        }
        this.featureIndexes = new int[feats.size()];
        for (int i = 0; i < feats.size(); i++) {
            featureIndexes[i] = column(header, feats.get(i), "--features");
            if (featureIndexes[i] == labelIndex || featureIndexes[i] == targetIndex) {
                throw new SourceException(file + ": column '" + feats.get(i) + "' is the " + (featureIndexes[i]
                        == labelIndex ? "label" : "target") + "; it cannot also be a feature");
            }
        }
        if (featureIndexes.length == 0) {
            throw new SourceException(file + ": no feature columns left beside the label; header is " + header);
        }
        this.featureNames = List.copyOf(feats);
        Scan scan = labelIndex < 0 ? new Scan(true, -1, new TreeSet<>()) : scanLabels(file, labelIndex);
        this.maxLabel = scan.maxInteger;
        if (scan.allIntegers) {
            this.labelClasses = null;
            this.classIndex = null;
        } else {
            this.labelClasses = List.copyOf(mapping(columns, scan.values));
            this.classIndex = new LinkedHashMap<>();
            for (int i = 0; i < labelClasses.size(); i++) {
                classIndex.put(labelClasses.get(i), i);
            }
        }
        open(1);
    }

    private static List<String> readHeader(Path file) {
        InputStream in = Inputs.open(file);
        try {
            byte[] first = new Inputs.LineReader(in, file).readLine();
            if (first == null || first.length == 0) {
                throw new SourceException(file + ": empty file, expected a header row naming the columns");
            }
            return split(new String(first, StandardCharsets.UTF_8));
        } finally {
            Inputs.closeQuietly(in);
        }
    }

    private int column(List<String> header, String column, String flag) {
        int i = header.indexOf(column);
        if (i < 0) {
            throw new SourceException(file() + ": no column '" + column + "' (" + flag + "); header is " + header);
        }
        return i;
    }

    private record Scan(boolean allIntegers, int maxInteger, TreeSet<String> values) {}

    private Scan scanLabels(Path f, int column) {
        InputStream s = Inputs.open(f);
        try {
            Inputs.LineReader r = new Inputs.LineReader(s, f);
            r.readLine();
            boolean allIntegers = true;
            int max = -1;
            TreeSet<String> values = new TreeSet<>();
            byte[] line;
            while ((line = r.readLine()) != null) {
                List<String> cells = split(new String(line, StandardCharsets.UTF_8));
                if (cells.size() != width) {
                    continue;
                }
                String v = cells.get(column).trim();
                if (v.isEmpty()) {
                    continue;
                }
                values.add(v);
                Integer n = nonNegativeInt(v);
                if (n == null) {
                    allIntegers = false;
                } else {
                    max = Math.max(max, n);
                }
                if (!allIntegers && values.size() > 100_000) {
                    throw new SourceException(f + ": label column has more than 100000 distinct values; is it the "
                            + "right column?");
                }
            }
            return new Scan(allIntegers, max, values);
        } finally {
            Inputs.closeQuietly(s);
        }
    }

    private List<String> mapping(Columns columns, TreeSet<String> seen) {
        Path map = columns.labelMap();
        if (map != null && Files.isRegularFile(map)) {
            try {
                JsonNode root = Json.MAPPER.readTree(map.toFile());
                List<String> classes = new ArrayList<>();
                root.path("classes").forEach(n -> classes.add(n.asText()));
                if (classes.isEmpty()) {
                    throw new SourceException(map + ": label map has no \"classes\" array");
                }
                return classes;
            } catch (IOException e) {
                throw new SourceException("cannot read label map " + map + ": " + e.getMessage(), e);
            }
        }
        List<String> classes = new ArrayList<>(seen);
        if (map != null) {
            ObjectNode root = Json.MAPPER.createObjectNode();
            root.put("source", file().toString());
            root.put("column", columns.label());
            root.putPOJO("classes", classes);
            try {
                Json.MAPPER.writeValue(map.toFile(), root);
            } catch (IOException e) {
                throw new SourceException("cannot write label map " + map + ": " + e.getMessage(), e);
            }
        }
        return classes;
    }

    private static Integer nonNegativeInt(String v) {
        if (v.isEmpty() || v.length() > 9) {
            return null;
        }
        for (int i = 0; i < v.length(); i++) {
            if (v.charAt(i) < '0' || v.charAt(i) > '9') {
                return null;
            }
        }
        return Integer.parseInt(v);
    }

    @Override
    protected SourceRecord parse(byte[] line, long lineNo, String position) {
        if (line.length == 0) {
            return SourceRecord.malformed(line, TEXT_CSV, position, "empty record");
        }
        List<String> cells = split(new String(line, StandardCharsets.UTF_8));
        if (cells.size() != width) {
            return SourceRecord.malformed(line, TEXT_CSV, position, "csv row has " + cells.size()
                    + " columns, the header has " + width);
        }
        String id = idIndex < 0 ? idPrefix + lineNo : cells.get(idIndex).trim();
        if (id.isEmpty()) {
            return SourceRecord.malformed(line, TEXT_CSV, position, "csv: empty id");
        }
        float[] x = new float[featureIndexes.length];
        for (int i = 0; i < x.length; i++) {
            String v = cells.get(featureIndexes[i]).trim();
            try {
                x[i] = Float.parseFloat(v);
            } catch (NumberFormatException e) {
                return SourceRecord.malformed(line, TEXT_CSV, position, "csv column '" + featureNames.get(i)
                        + "' is '" + v + "', expected a number");
            }
        }
        if (targetIndex >= 0) {
            String raw = cells.get(targetIndex).trim();
            float y;
            try {
                y = Float.parseFloat(raw);
            } catch (NumberFormatException e) {
                y = Float.NaN;
            }
            if (!Float.isFinite(y)) {
                return SourceRecord.malformed(line, TEXT_CSV, position, "csv target '" + raw
                        + "' is not a finite number");
            }
            return SourceRecord.parsed(Example.withTarget(id, Features.ofFloats(x), y), line, TEXT_CSV, position);
        }
        String rawLabel = cells.get(labelIndex).trim();
        int label;
        if (classIndex == null) {
            Integer n = nonNegativeInt(rawLabel);
            if (n == null) {
                return SourceRecord.malformed(line, TEXT_CSV, position, "csv label '" + rawLabel
                        + "' is not a class index (a non-negative integer)");
            }
            label = n;
        } else {
            Integer n = classIndex.get(rawLabel);
            if (n == null) {
                return SourceRecord.malformed(line, TEXT_CSV, position, "csv label '" + rawLabel
                        + "' is not one of the classes " + labelClasses);
            }
            label = n;
        }
        return SourceRecord.parsed(Example.labeled(id, Features.ofFloats(x), label), line, TEXT_CSV, position);
    }

    /** RFC 4180 fields of one line: commas separate, double quotes quote, "" is a quote inside quotes. */
    static List<String> split(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    cur.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    cur.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        out.add(cur.toString());
        return out;
    }

    /** Number of feature columns. */
    public int featureCount() {
        return featureIndexes.length;
    }

    /** The feature columns in order. */
    public List<String> featureNames() {
        return featureNames;
    }

    /** Class names of a categorical label in index order, or null when the label column holds indices. */
    public List<String> labelClasses() {
        return labelClasses;
    }

    /** Whether rows carry a regression target rather than a label. */
    public boolean hasTarget() {
        return targetIndex >= 0;
    }

    /** Classes the label column implies: the categorical classes, or the largest index + 1. */
    public int classCountHint() {
        return labelClasses != null ? labelClasses.size() : Math.max(1, maxLabel + 1);
    }
}
