package io.streamlearn.ingest.produce;

import io.streamlearn.ingest.source.SourceRecord;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.Consumer;

/**
 * Reads a source on its own thread, in chunks, a bounded distance ahead of the sender: gunzipping and
 * parsing overlap with encoding and compressing. A failure of the reader is rethrown on the sending thread;
 * {@link #close()} stops the reader (which closes its source).
 */
final class ReadAhead implements Iterator<SourceRecord>, AutoCloseable {
    /** Fills the sink with every record to send, in order; runs on the reader thread. */
    interface Producer {
        void produce(Consumer<SourceRecord> sink) throws InterruptedException;
    }

    private static final int CHUNK = 256;
    private static final List<SourceRecord> END = List.of();

    private final BlockingQueue<List<SourceRecord>> queue;
    private final Thread reader;
    private volatile RuntimeException failure;
    private List<SourceRecord> current = new ArrayList<>();
    private int index;
    private boolean ended;

    ReadAhead(Producer producer, int chunksAhead) {
        this.queue = new ArrayBlockingQueue<>(chunksAhead);
        this.reader = new Thread(() -> run(producer), "ingest-reader");
        reader.setDaemon(true);
        reader.start();
    }

    private void run(Producer producer) {
        List<List<SourceRecord>> pending = new ArrayList<>(1);
        pending.add(new ArrayList<>(CHUNK));
        try {
            producer.produce(r -> {
                List<SourceRecord> chunk = pending.get(0);
                chunk.add(r);
                if (chunk.size() == CHUNK) {
                    put(chunk);
                    pending.set(0, new ArrayList<>(CHUNK));
                }
            });
            if (!pending.get(0).isEmpty()) {
                queue.put(pending.get(0));
            }
            queue.put(END);
        } catch (InterruptedException | Interrupted e) {
            // close(): the sender is done with us.
        } catch (RuntimeException e) {
            failure = e;
            queue.offer(END);
        }
    }

    private void put(List<SourceRecord> chunk) {
        try {
            queue.put(chunk);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Interrupted();
        }
    }

    /** Unwinds the reader when the sender closes the read-ahead. */
    private static final class Interrupted extends RuntimeException {
        private static final long serialVersionUID = 1L;
    }

    @Override
    public boolean hasNext() {
        while (!ended && index == current.size()) {
            try {
                current = queue.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IngestException("interrupted while reading the source", e);
            }
            index = 0;
            if (current == END) {
                ended = true;
            }
        }
        if (ended && failure != null) {
            throw failure;
        }
        return !ended;
    }

    @Override
    public SourceRecord next() {
        if (!hasNext()) {
            throw new NoSuchElementException("source exhausted");
        }
        return current.get(index++);
    }

    @Override
    public void close() {
        reader.interrupt();
        queue.clear();
        try {
            reader.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
