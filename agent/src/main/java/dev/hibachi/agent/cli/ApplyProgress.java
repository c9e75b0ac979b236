package dev.hibachi.agent.cli;

import java.io.PrintWriter;
import java.util.function.LongSupplier;

/**
 * {@code applied 200/1000} on stderr while a long apply runs, at most once a second and only once it has run
 * for a second, so that a short apply prints nothing and a long one shows that it moves.
 */
final class ApplyProgress {
    private static final long SECOND = 1_000_000_000L;

    private final PrintWriter err;
    private final int total;
    private final LongSupplier nanos;
    private long lastShown;

    ApplyProgress(PrintWriter err, int total, LongSupplier nanos) {
        this.err = err;
        this.total = total;
        this.nanos = nanos;
        this.lastShown = nanos.getAsLong();
    }

    /** {@code done} of the steps are over (applied, failed or skipped). */
    void done(int done) {
        long now = nanos.getAsLong();
        if (now - lastShown >= SECOND && done < total) {
            lastShown = now;
            err.println("applied " + done + "/" + total);
            err.flush();
        }
    }
}
