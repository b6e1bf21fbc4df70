package io.streamlearn.serving.model;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import io.streamlearn.core.snapshot.SnapshotException;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Loads a DJL parameter file ({@code Model.save}'s {@code <model>-NNNN.params}) from bytes already in memory into a
 * block, so the bytes loaded are the bytes verified.
 *
 * <p>The header is {@code BaseModel.save}'s, format version 1 (DJL 0.35): magic {@code DJL@}, version, model name,
 * data type, the input descriptions and the model properties, then {@code Block.saveParameters}. DJL has no public
 * reader for it apart from {@code Model.load(Path)}, which reads a file again; a new DJL format fails here with the
 * version found.
 */
final class DjlParams {
    private static final String MAGIC = "DJL@";
    private static final int FORMAT_VERSION = 1;

    private DjlParams() {}

    /**
     * Replaces the values of {@code block}'s (initialized) parameters with those in {@code bytes}.
     *
     * @param where the file, for messages
     */
    static void load(Block block, NDManager manager, byte[] bytes, String where)
            throws IOException, MalformedModelException {
        ByteArrayInputStream in = new ByteArrayInputStream(bytes);
        DataInputStream dis = new DataInputStream(in);
        byte[] magic = new byte[MAGIC.length()];
        dis.readFully(magic);
        if (!MAGIC.equals(new String(magic, StandardCharsets.US_ASCII))) {
            throw new SnapshotException(where + " is not a DJL parameter file (it does not start with '" + MAGIC
                    + "'); publish what DJL's Model.save writes");
        }
        int version = dis.readInt();
        if (version != FORMAT_VERSION) {
            throw new SnapshotException(where + " is DJL parameter format " + version + ", this reader knows "
                    + FORMAT_VERSION + "; serve it with the DJL version that wrote it or republish it");
        }
        dis.readUTF(); // model name: the manifest's is the one that counts
        dis.readUTF(); // data type: the spec's network decides
        int inputs = dis.readInt();
        for (int i = 0; i < inputs; i++) {
            dis.readUTF();
            Shape.decode(dis);
        }
        int properties = dis.readInt();
        for (int i = 0; i < properties; i++) {
            dis.readUTF();
            dis.readUTF();
        }
        block.loadParameters(manager, dis);
        if (in.available() > 0) {
            throw new SnapshotException(where + " has " + in.available() + " bytes after the parameters of the network "
                    + "of its spec; the parameters do not fit the network, republish the snapshot with its own spec");
        }
    }
}
