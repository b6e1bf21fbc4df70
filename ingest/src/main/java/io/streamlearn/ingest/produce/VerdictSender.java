package io.streamlearn.ingest.produce;

import io.streamlearn.core.example.ContentTypes;
import io.streamlearn.core.example.DeadLetters;
import io.streamlearn.ingest.validate.RejectReason;
import io.streamlearn.ingest.validate.Verdict;
import java.nio.charset.StandardCharsets;
import java.util.function.BiFunction;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Sends each verdict where it belongs, a valid example to the topic and a rejected record as a dead letter,
 * and counts it in the {@link IngestTally} when the broker acknowledges it.
 */
final class VerdictSender {
    private final String topic;
    private final String deadLetterTopic;
    private final Header[] valueHeaders;
    private final int deadLetterMaxBytes;
    private final IngestTally tally;
    private final BiFunction<Exception, String, IngestException> failure;

    /**
     * @param contentType the {@code content-type} header of valid examples
     * @param failure     turns a producer's exception and what it was doing into the run's exception
     */
    VerdictSender(String topic, String deadLetterTopic, String contentType, int deadLetterMaxBytes,
            IngestTally tally, BiFunction<Exception, String, IngestException> failure) {
        this.topic = topic;
        this.deadLetterTopic = deadLetterTopic;
        this.valueHeaders = new Header[] {new RecordHeader(ContentTypes.HEADER,
                contentType.getBytes(StandardCharsets.UTF_8))};
        this.deadLetterMaxBytes = deadLetterMaxBytes;
        this.tally = tally;
        this.failure = failure;
    }

    /** Hands the verdict's record to {@code producer}; a failed acknowledgement is kept in the tally. */
    void send(KafkaProducer<byte[], byte[]> producer, Verdict v) {
        ProducerRecord<byte[], byte[]> record;
        Callback callback;
        if (v instanceof Verdict.Accepted a) {
            int n = a.value().length;
            record = new ProducerRecord<>(topic, null, a.id().getBytes(StandardCharsets.UTF_8), a.value(),
                    new RecordHeaders(valueHeaders));
            callback = (md, ex) -> {
                if (ex != null) {
                    tally.failed(ex);
                } else {
                    tally.sent(n);
                }
            };
        } else {
            Verdict.Rejected r = (Verdict.Rejected) v;
            byte[] key = r.key() == null ? null : r.key().getBytes(StandardCharsets.UTF_8);
            record = DeadLetters.capped(deadLetterTopic, key, r.original(), r.message(), r.position(),
                    r.contentType(), deadLetterMaxBytes);
            int n = record.value().length;
            RejectReason kind = r.reason();
            callback = (md, ex) -> {
                if (ex != null) {
                    tally.failed(ex);
                } else {
                    tally.rejected(kind, n);
                }
            };
        }
        try {
            producer.send(record, callback);
        } catch (InterruptException e) {
            Thread.currentThread().interrupt();
            tally.failedToSend();
            throw new IngestException("interrupted while sending to " + record.topic(), e);
        } catch (KafkaException e) {
            tally.failedToSend();
            throw failure.apply(e, "sending to " + record.topic());
        }
    }
}
