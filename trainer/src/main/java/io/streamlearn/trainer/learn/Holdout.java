package io.streamlearn.trainer.learn;

import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * The deterministic holdout: an example is held out when the hash of its id falls below the
 * fraction, so the same id is held out in every run, replay and restart, and is never trained on.
 */
public final class Holdout {
    private static final int BUCKETS = 10_000;
    private final int threshold;

    public Holdout(double fraction) {
        if (!(fraction >= 0 && fraction < 1)) {
            throw new IllegalArgumentException("holdout fraction " + fraction + " must be in [0, 1)");
        }
        this.threshold = (int) Math.round(fraction * BUCKETS);
    }

    public boolean isHeldOut(String id) {
        if (threshold == 0) {
            // No holdout: skip the id's encoding and hash, once per example on the training thread.
            return false;
        }
        CRC32C crc = new CRC32C();
        crc.update(id.getBytes(StandardCharsets.UTF_8));
        return crc.getValue() % BUCKETS < threshold;
    }
}
