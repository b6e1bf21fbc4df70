package io.streamlearn.serving;

import io.streamlearn.serving.kafka.RequestLoop;
import io.streamlearn.serving.model.ServingModel;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether a prediction service runs, which of its threads failed first, and why it is not ready: what
 * {@code GET /healthz} and {@code GET /readyz} answer and what a command's main thread waits on.
 */
public final class ServiceHealth {
    private static final Logger LOG = LoggerFactory.getLogger(ServiceHealth.class);

    private final ServingConfig config;
    private final ServingModel model;
    // Counted down by close() or by a service thread that failed: what a command's main thread waits on.
    private final CountDownLatch finished = new CountDownLatch(1);
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile boolean running;
    private volatile RequestLoop requestLoop;

    ServiceHealth(ServingConfig config, ServingModel model) {
        this.config = config;
        this.model = model;
    }

    void started() {
        running = true;
    }

    /** From now on a thread that ends with an exception is shutting down, not failing. */
    void stopping() {
        running = false;
    }

    void finished() {
        finished.countDown();
    }

    /** Readiness also waits for {@code loop} to consume. */
    void watch(RequestLoop loop) {
        this.requestLoop = loop;
    }

    /** Records that service thread {@code thread} stopped with {@code e}, unless the service is shutting down. */
    void failed(String thread, Throwable e) {
        if (running) {
            failure.compareAndSet(null, e);
            LOG.error("{} stopped: {}; the service is no longer ready, restart it", thread, e.toString(), e);
            finished.countDown();
        }
    }

    /** Whether the service was started and is not closing. */
    public boolean running() {
        return running;
    }

    /** Why a service thread stopped, when one did. */
    public Optional<Throwable> failure() {
        return Optional.ofNullable(failure.get());
    }

    /** Why the service is not ready, or null when it is: what {@code GET /readyz} answers with 503. */
    public String notReadyReason() {
        if (!running) {
            return "the prediction service is not running";
        }
        Throwable f = failure.get();
        if (f != null) {
            return "a service thread stopped: " + f + "; restart the service";
        }
        if (!model.loaded()) {
            return "no model of " + config.model() + " is loaded yet: waiting for a manifest on "
                    + config.topics().models() + " (or the pinned version)";
        }
        RequestLoop loop = requestLoop;
        if (loop == null || !loop.isConsuming()) {
            return "model loaded, the request loop is not consuming " + config.topics().requests() + " yet";
        }
        return null;
    }

    /** Blocks until the service closed or a service thread failed. */
    void awaitFinished() throws InterruptedException {
        finished.await();
    }
}
