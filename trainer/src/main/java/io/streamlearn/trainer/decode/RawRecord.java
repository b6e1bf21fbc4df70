package io.streamlearn.trainer.decode;

import java.io.Serializable;

/**
 * A Kafka record as the source read it, before decoding: the bytes and where they came from.
 */
public class RawRecord implements Serializable {
    private static final long serialVersionUID = 1L;

    public String topic;
    public int partition;
    public long offset;
    public byte[] key;
    public byte[] value;
    /** The content-type header, or null. */
    public String contentType;

    public RawRecord() {}

    public RawRecord(String topic, int partition, long offset, byte[] key, byte[] value, String contentType) {
        this.topic = topic;
        this.partition = partition;
        this.offset = offset;
        this.key = key;
        this.value = value;
        this.contentType = contentType;
    }

    /** "topic/partition/offset", the position a dead letter names. */
    public String position() {
        return topic + "/" + partition + "/" + offset;
    }
}
