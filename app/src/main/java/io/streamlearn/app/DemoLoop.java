package io.streamlearn.app;

/** A daemon thread that runs one loop until asked to stop: the demo's traffic and its output reader are two. */
abstract class DemoLoop {
    private final String threadName;
    private volatile boolean stopping;
    private Thread thread;

    DemoLoop(String threadName) {
        this.threadName = threadName;
    }

    /** The loop's body; it returns once {@link #stopping()} says so. */
    protected abstract void loop();

    final void start() {
        thread = new Thread(this::loop, threadName);
        thread.setDaemon(true);
        thread.start();
    }

    /** Asks the loop to end and waits until it has. */
    void stop() throws InterruptedException {
        stopping = true;
        if (thread != null) {
            thread.join();
        }
    }

    final boolean stopping() {
        return stopping;
    }
}
