package dev.hibachi.agent.exec;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.Flow;

/**
 * Copies a response body into a run's {@link OutputBuffer} as it arrives, one chunk list at a time, so
 * the heap holds the buffer's tail and a chunk whatever the body's size. Counts the body's bytes.
 *
 * <p>{@link #close()} stops it for good: the subscription is cancelled (which closes the connection)
 * and a chunk still in delivery is no longer written, so nothing lands in the buffer once the run's
 * result has been taken from it.
 */
final class BodyToOutput implements Flow.Subscriber<List<ByteBuffer>> {

    private final OutputBuffer out;
    private final byte[] chunk = new byte[16 * 1024];
    private Flow.Subscription subscription; // guarded by this
    private boolean closed; // guarded by this
    private long bytes; // guarded by this

    BodyToOutput(OutputBuffer out) {
        this.out = out;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        synchronized (this) {
            if (!closed) {
                subscription = s;
                s.request(1);
                return;
            }
        }
        s.cancel();
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
        Flow.Subscription s;
        synchronized (this) {
            if (closed) {
                return;
            }
            for (ByteBuffer b : buffers) {
                while (b.hasRemaining()) {
                    int n = Math.min(chunk.length, b.remaining());
                    b.get(chunk, 0, n);
                    out.write(chunk, 0, n);
                    bytes += n;
                }
            }
            s = subscription;
        }
        s.request(1); // one list at a time: the client reads no further ahead than that
    }

    @Override
    public void onError(Throwable t) {
        // The response future fails with it; nothing to add here.
    }

    @Override
    public void onComplete() {
        // The response future completes.
    }

    /** The body bytes written so far. */
    synchronized long bytes() {
        return bytes;
    }

    /** Stops copying and cancels the body's subscription, if any; idempotent. */
    void close() {
        Flow.Subscription s;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            s = subscription;
        }
        if (s != null) {
            s.cancel();
        }
    }
}
