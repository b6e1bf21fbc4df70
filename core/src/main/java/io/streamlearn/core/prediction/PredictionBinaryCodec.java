package io.streamlearn.core.prediction;

import io.streamlearn.core.example.CodecException;
import io.streamlearn.core.example.WireReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The compact binary form of a {@link Prediction}, little-endian:
 *
 * <pre>
 * 0   2   magic 'S' 'P' (0x53 0x50)
 * 2   1   layout version, 1 or 2
 * 3   2   id length L (u16), then L bytes UTF-8
 * .   4   label (i32), -1 for a regression prediction
 * .   2   model name length M (u16), then M bytes UTF-8
 * .   8   version (i64)
 * .   4   latency ms (f32)
 * .   2   score count K (u16), then K times: label (i32), probability (f32)
 * .   2   version 2 only: value count V (u16, >= 1), then V times the predicted value (f32)
 * </pre>
 *
 * A classifier's prediction is written in version 1, which readers of version 1 still read; a regression
 * prediction (with a value) in version 2. This reader reads both.
 */
public final class PredictionBinaryCodec {
    /** The newest layout, written for predictions with a value. */
    public static final int VERSION = 2;
    /** The layout without a value: still written for classifiers, and read. */
    public static final int VERSION_1 = 1;

    private PredictionBinaryCodec() {}

    /** Whether {@code value} starts with this layout's magic 'SP'. */
    public static boolean hasMagic(byte[] value) {
        return value != null && value.length > 1 && value[0] == 'S' && value[1] == 'P';
    }

    public static byte[] encode(Prediction p) {
        byte[] id = p.id().getBytes(StandardCharsets.UTF_8);
        byte[] model = p.model().getBytes(StandardCharsets.UTF_8);
        int values = p.hasValue() ? p.value().length : 0;
        if (id.length > 0xFFFF || model.length > 0xFFFF || p.scores().size() > 0xFFFF || values > 0xFFFF) {
            throw new CodecException("prediction " + p.id() + ": id, model name, score list or value longer than "
                    + "65535");
        }
        ByteBuffer out = ByteBuffer.allocate(3 + 2 + id.length + 4 + 2 + model.length + 8 + 4 + 2
                + 8 * p.scores().size() + (p.hasValue() ? 2 + 4 * values : 0)).order(ByteOrder.LITTLE_ENDIAN);
        out.put((byte) 'S').put((byte) 'P').put((byte) (p.hasValue() ? VERSION : VERSION_1));
        out.putShort((short) id.length).put(id).putInt(p.label());
        out.putShort((short) model.length).put(model).putLong(p.version()).putFloat(p.latencyMs());
        out.putShort((short) p.scores().size());
        for (Prediction.Score s : p.scores()) {
            out.putInt(s.label()).putFloat(s.probability());
        }
        if (p.hasValue()) {
            out.putShort((short) values);
            for (float v : p.value()) {
                out.putFloat(v);
            }
        }
        return out.array();
    }

    public static Prediction decode(byte[] value) {
        if (value == null || value.length == 0) {
            throw new CodecException("empty record: expected a binary prediction starting with magic 'SP'");
        }
        WireReader in = new WireReader(value, "binary prediction");
        if (in.u8("magic") != 'S' || in.u8("magic") != 'P') {
            throw new CodecException("binary prediction: bad magic, expected 'SP'");
        }
        int version = in.u8("version");
        if (version != VERSION && version != VERSION_1) {
            throw new CodecException("binary prediction: layout version " + version + " is not supported, this "
                    + "reader knows versions " + VERSION_1 + " and " + VERSION);
        }
        String id = in.utf8(in.u16("id length"), "id");
        int label = in.i32("label");
        String model = in.utf8(in.u16("model length"), "model");
        long modelVersion = in.i64("version");
        float latency = in.f32("latency");
        int k = in.count(in.u16("score count"), 8, "scores");
        List<Prediction.Score> scores = new ArrayList<>(k);
        for (int i = 0; i < k; i++) {
            scores.add(new Prediction.Score(in.i32("score label"), in.f32("score probability")));
        }
        float[] predicted = null;
        if (version >= 2) {
            int v = in.count(in.u16("value count"), 4, "values");
            if (v == 0) {
                throw new CodecException("binary prediction " + id + ": value count 0 in layout version 2");
            }
            predicted = in.floats(v, "values");
        }
        in.expectEnd();
        try {
            return new Prediction(id, label, scores, model, modelVersion, latency, predicted);
        } catch (IllegalArgumentException e) {
            throw new CodecException("binary prediction: " + e.getMessage(), e);
        }
    }
}
