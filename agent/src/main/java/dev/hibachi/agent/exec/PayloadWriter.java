package dev.hibachi.agent.exec;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a job's {@code payload} to its stdin, then closes it, from one pool thread.
 *
 * <p>A job that never reads its stdin fills the pipe (64 KiB) and the write blocks. It ends when
 * nothing holds the read end any more (the job's processes have exited: the write fails with a broken
 * pipe), or, with the executor's own pipe ({@link PosixSpawn.InputPipe}), when {@link #stop()} closes
 * its channel: the JDK then interrupts the blocked write. {@code stop()} is called when the run
 * completes, so a daemon that escaped the run with the job's stdin cannot hold the thread. (With the
 * JDK's process pipe, the fallback when the C library cannot be reached, only the first way applies.)
 */
final class PayloadWriter {

    private static final Logger log = LoggerFactory.getLogger(PayloadWriter.class);

    /** The largest decoded payload: a job body is at most 1 MiB anyway. */
    static final int MAX_BYTES = 1 << 20;
    private static final int CHUNK = 64 * 1024;
    private static final AtomicInteger ACTIVE = new AtomicInteger();

    private final String label;
    private final OutputStream stdin;
    private final boolean closeToStop;
    private final CompletableFuture<Void> done = new CompletableFuture<>();

    private PayloadWriter(String label, OutputStream stdin, boolean closeToStop) {
        this.label = label;
        this.stdin = stdin;
        this.closeToStop = closeToStop;
    }

    /**
     * Decodes {@code payload} (standard base64; line breaks ignored, as Go's decoder does).
     *
     * @throws InvalidExecutorConfigException naming {@code payload} when it is not base64 or too large
     */
    static byte[] decode(String payload) throws InvalidExecutorConfigException {
        String text = payload.replace("\r", "").replace("\n", "");
        // Roughly checked before decoding too, so that no more than the bound is ever allocated.
        byte[] decoded;
        if (text.length() <= (MAX_BYTES + 2) / 3 * 4) {
            try {
                decoded = Base64.getDecoder().decode(text);
            } catch (IllegalArgumentException e) {
                throw new InvalidExecutorConfigException("payload", "is not standard base64: " + e.getMessage());
            }
            if (decoded.length <= MAX_BYTES) {
                return decoded;
            }
        }
        throw new InvalidExecutorConfigException("payload", "decodes to more than " + MAX_BYTES
                + " bytes (1 MiB), the most a job can feed to its stdin");
    }

    /**
     * Starts writing {@code payload} to {@code stdin} on the pool and closes it at the end.
     *
     * @param closeToStop whether {@link #stop()} may close {@code stdin} to end a blocked write
     *     (a {@link java.nio.channels.FileChannel}'s stream; not the JDK's process pipe, whose close
     *     would wait for the blocked write)
     */
    static PayloadWriter start(String label, byte[] payload, OutputStream stdin, boolean closeToStop) {
        PayloadWriter w = new PayloadWriter(label, stdin, closeToStop);
        ACTIVE.incrementAndGet();
        ExecThreads.POOL.execute(() -> w.write(payload));
        return w;
    }

    /** Writers still writing (for tests). */
    static int active() {
        return ACTIVE.get();
    }

    /** Completes when writing has ended, however. */
    CompletableFuture<Void> done() {
        return done;
    }

    /** Ends a write that is still blocked (the run is over). */
    void stop() {
        if (closeToStop && !done.isDone()) {
            close();
        }
    }

    private void write(byte[] payload) {
        try {
            for (int off = 0; off < payload.length; off += CHUNK) {
                stdin.write(payload, off, Math.min(CHUNK, payload.length - off));
            }
            stdin.flush();
        } catch (IOException e) {
            // The job closed its stdin or ended without reading it all, as jobs may.
            log.debug("{}: payload not fully written: {}", label, e.toString());
        } catch (RuntimeException e) {
            log.error("{}: payload writer failed", label, e);
        } finally {
            close();
            ACTIVE.decrementAndGet();
            done.complete(null);
        }
    }

    private void close() {
        try {
            stdin.close();
        } catch (IOException e) {
            log.debug("{}: closing stdin: {}", label, e.toString());
        }
    }
}
