package io.streamlearn.core.example;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;

class DeadLettersTest {
    private static String header(ProducerRecord<byte[], byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    @Test
    void carriesTheOriginalKeyBytesAndContentTypeWithReasonAndSource() {
        byte[] key = {'k'};
        byte[] value = {1, 2, 3};

        ProducerRecord<byte[], byte[]> r = DeadLetters.record("x.dlq", key, value, "feature count 783, expected 784",
                "x/2/10511", ContentTypes.EXAMPLE_BINARY);

        assertThat(r.topic()).isEqualTo("x.dlq");
        assertThat(r.partition()).isNull();
        assertThat(r.key()).isEqualTo(key);
        assertThat(r.value()).isEqualTo(value);
        assertThat(header(r, DeadLetterHeaders.REASON)).isEqualTo("feature count 783, expected 784");
        assertThat(header(r, DeadLetterHeaders.SOURCE)).isEqualTo("x/2/10511");
        assertThat(header(r, ContentTypes.HEADER)).isEqualTo(ContentTypes.EXAMPLE_BINARY);
    }

    @Test
    void omitsTheContentTypeHeaderWhenTheOriginalHadNone() {
        ProducerRecord<byte[], byte[]> r = DeadLetters.record("x.dlq", null, new byte[] {1}, "bad", "f line 1", null);

        assertThat(r.key()).isNull();
        assertThat(r.headers().lastHeader(ContentTypes.HEADER)).isNull();
    }

    @Test
    void cappedKeepsTheFirstBytesOfALongValueAndSaysSoInTheReason() {
        ProducerRecord<byte[], byte[]> r = DeadLetters.capped("x.dlq", null, new byte[] {1, 2, 3, 4, 5}, "too long",
                "f line 3", ContentTypes.JSON, 2);

        assertThat(r.value()).containsExactly(1, 2);
        assertThat(header(r, DeadLetterHeaders.REASON)).isEqualTo("too long (original 5 bytes, the first 2 kept)");
        assertThat(header(r, DeadLetterHeaders.SOURCE)).isEqualTo("f line 3");
        assertThat(header(r, DeadLetterHeaders.ORIGINAL_BYTES)).isEqualTo("5");
        // sha256 of the bytes 01 02 03 04 05
        assertThat(header(r, DeadLetterHeaders.ORIGINAL_SHA256))
                .isEqualTo("74f81fe167d99b4cb41d6d0ccda82278caee9f3e2f25d5e5a3936ff3dcec60d0");
        assertThat(r.headers().lastHeader("streamlearn.error.original-bytes")).as("the documented header name")
                .isNotNull();
        assertThat(r.headers().lastHeader("streamlearn.error.original-sha256")).as("the documented header name")
                .isNotNull();
    }

    @Test
    void cappedKeepsAReasonAndAKeyNearTheSizeLimitSmall() {
        ProducerRecord<byte[], byte[]> r = DeadLetters.capped("x.dlq", new byte[1 << 20], new byte[] {1},
                "x".repeat(1 << 20), "x/0/1", null, 16);

        assertThat(r.key()).hasSize(DeadLetters.MAX_KEY_BYTES);
        assertThat(header(r, DeadLetterHeaders.REASON)).hasSize(DeadLetters.MAX_REASON_CHARS + 3);
    }

    @Test
    void cappedLeavesAValueWithinTheCapUntouched() {
        byte[] value = {1, 2};

        ProducerRecord<byte[], byte[]> r = DeadLetters.capped("x.dlq", null, value, "bad", "f line 3", null, 2);

        assertThat(r.value()).isSameAs(value);
        assertThat(header(r, DeadLetterHeaders.REASON)).isEqualTo("bad");
        assertThat(r.headers().lastHeader(DeadLetterHeaders.ORIGINAL_BYTES)).as("nothing was cut").isNull();
        assertThat(r.headers().lastHeader(DeadLetterHeaders.ORIGINAL_SHA256)).as("nothing was cut").isNull();
    }
}
