package io.streamlearn.core.example;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Builds dead-letter records, the one place that does: the original key and bytes, the {@link DeadLetterHeaders}
 * reason and source, and the original content type, so every dead-letter topic reads the same.
 */
public final class DeadLetters {
    private DeadLetters() {}

    /**
     * A dead letter carrying {@code value} unchanged.
     *
     * @param key         the original key, or null
     * @param reason      why it was rejected, e.g. "feature count 783, expected 784"
     * @param source      where it came from: "topic/partition/offset", or "file line N"
     * @param contentType the original content type, or null when it had none
     */
    public static ProducerRecord<byte[], byte[]> record(String topic, byte[] key, byte[] value, String reason,
            String source, String contentType) {
        RecordHeaders h = new RecordHeaders();
        h.add(DeadLetterHeaders.REASON, reason.getBytes(StandardCharsets.UTF_8));
        h.add(DeadLetterHeaders.SOURCE, source.getBytes(StandardCharsets.UTF_8));
        if (contentType != null) {
            h.add(ContentTypes.HEADER, contentType.getBytes(StandardCharsets.UTF_8));
        }
        return new ProducerRecord<>(topic, null, key, value, h);
    }

    /**
     * Like {@link #record}, but a value longer than {@code maxBytes} keeps only its first {@code maxBytes}, and the
     * reason says so: a dead letter must itself fit under the broker's max.request.size. A capped one also carries
     * the original length and sha256 ({@link DeadLetterHeaders#ORIGINAL_BYTES}, {@link
     * DeadLetterHeaders#ORIGINAL_SHA256}), so it can still be matched with the record it stands for.
     */
    public static ProducerRecord<byte[], byte[]> capped(String topic, byte[] key, byte[] value, String reason,
            String source, String contentType, int maxBytes) {
        if (value == null || value.length <= maxBytes) {
            return record(topic, key, value, reason, source, contentType);
        }
        ProducerRecord<byte[], byte[]> r = record(topic, key, Arrays.copyOf(value, maxBytes),
                reason + " (original " + value.length + " bytes, the first " + maxBytes + " kept)", source, contentType);
        r.headers().add(DeadLetterHeaders.ORIGINAL_BYTES, Integer.toString(value.length).getBytes(StandardCharsets.UTF_8));
        r.headers().add(DeadLetterHeaders.ORIGINAL_SHA256, sha256(value).getBytes(StandardCharsets.UTF_8));
        return r;
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }
}
