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
    /** Longest reason a capped dead letter keeps, in characters. */
    public static final int MAX_REASON_CHARS = 4096;
    /** Longest key a capped dead letter keeps, in bytes. */
    public static final int MAX_KEY_BYTES = 1024;

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
     * Like {@link #record}, but a value longer than {@code maxBytes} keeps only its first {@code maxBytes}, the reason
     * says so, and the {@link DeadLetterHeaders#ORIGINAL_BYTES} and {@link DeadLetterHeaders#ORIGINAL_SHA256} headers
     * identify the original: a dead letter must itself fit under max.request.size and message.max.bytes, or the
     * pipeline that rejected a record near that limit could never move past it. Reasons and keys are capped too (a
     * reason may quote the input).
     */
    public static ProducerRecord<byte[], byte[]> capped(String topic, byte[] key, byte[] value, String reason,
            String source, String contentType, int maxBytes) {
        boolean cut = value != null && value.length > maxBytes;
        byte[] original = value;
        if (cut) {
            reason = reason + " (original " + value.length + " bytes, the first " + maxBytes + " kept)";
            value = Arrays.copyOf(value, maxBytes);
        }
        if (reason.length() > MAX_REASON_CHARS) {
            reason = reason.substring(0, MAX_REASON_CHARS) + "...";
        }
        if (key != null && key.length > MAX_KEY_BYTES) {
            key = Arrays.copyOf(key, MAX_KEY_BYTES);
        }
        ProducerRecord<byte[], byte[]> r = record(topic, key, value, reason, source, contentType);
        if (cut) {
            r.headers().add(DeadLetterHeaders.ORIGINAL_BYTES,
                    Integer.toString(original.length).getBytes(StandardCharsets.UTF_8));
            r.headers().add(DeadLetterHeaders.ORIGINAL_SHA256, sha256(original).getBytes(StandardCharsets.UTF_8));
        }
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
