package dev.hibachi.store.model;

import dev.hibachi.store.schedule.GoDuration;

import java.time.Duration;

/**
 * A job's own retry pacing ({@code retry_backoff}, Hibachi's addition): attempt {@code n + 1} waits
 * {@code initial × multiplier^(n-1)}, at most {@code max}, plus the seeded jitter. A job without one keeps
 * Dkron's formula. Durations are Go durations ({@code "2s"}, {@code "1m30s"}).
 *
 * @param multiplier 2 when not given
 * @param max        10 minutes when not given
 */
public record Backoff(String initial, String max, Double multiplier) {
    public static final double DEFAULT_MULTIPLIER = 2.0;
    public static final Duration DEFAULT_MAX = Duration.ofMinutes(10);
    /** Longer than any sensible retry pacing: a day. */
    public static final Duration LIMIT = Duration.ofDays(1);

    public Duration initialDuration() {
        return GoDuration.parse(initial);
    }

    public Duration maxDuration() {
        return max == null || max.isEmpty() ? DEFAULT_MAX : GoDuration.parse(max);
    }

    public double multiplierOrDefault() {
        return multiplier == null ? DEFAULT_MULTIPLIER : multiplier;
    }

    /** The wait before attempt {@code attempt + 1}, without jitter. */
    public Duration after(int attempt) {
        double factor = Math.pow(multiplierOrDefault(), Math.max(0, attempt - 1));
        double millis = initialDuration().toMillis() * factor;
        long cap = maxDuration().toMillis();
        return Duration.ofMillis(Double.isFinite(millis) && millis < cap ? Math.round(millis) : cap);
    }
}
