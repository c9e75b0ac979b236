package dev.hibachi.store.apply;

import dev.hibachi.store.model.Backoff;

import java.time.Duration;
import java.util.SplittableRandom;

/**
 * How long a failed attempt waits before the next one. Without a job's own {@code retry_backoff} the base is
 * Dkron's formula, {@code (log2(elapsed / 500 ms) + attempt) × 500 ms} (notes/dkron.md §5.10), so Dkron users
 * see the pacing they know; with one it is exponential ({@link Backoff#after}). Up to 20 % jitter is added so
 * retries of many jobs that failed together spread out. The jitter is seeded from the run id and the attempt,
 * so every replica computes the same delay.
 */
public final class RetryBackoff {
    private static final long UNIT_MILLIS = 500;
    private static final double JITTER = 0.2;

    private RetryBackoff() {
    }

    /**
     * The delay before attempt {@code attempt + 1}, after attempt {@code attempt} ran for {@code elapsed}.
     *
     * @param backoff the job's own pacing, or null for Dkron's
     */
    public static Duration after(Backoff backoff, long runId, int attempt, Duration elapsed) {
        long base = backoff == null ? dkron(attempt, elapsed) : backoff.after(attempt).toMillis();
        double jitter = new SplittableRandom(runId * 31 + attempt).nextDouble() * JITTER;
        return Duration.ofMillis(base + Math.round(base * jitter));
    }

    /** Dkron's delay, in milliseconds. */
    private static long dkron(int attempt, Duration elapsed) {
        long units = Math.max(1, elapsed.toMillis() / UNIT_MILLIS);
        long log2 = 63 - Long.numberOfLeadingZeros(units);
        return (log2 + attempt) * UNIT_MILLIS;
    }
}
