package dev.hibachi.store.schedule;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code @every <interval>}: fires at {@code anchor + k * interval} for k &ge; 1. Anchoring on the replicated
 * instant the schedule was set (not on "now") makes every node agree on the fire times, and the next one
 * is found by division, so it costs the same however far {@code after} is from the anchor.
 */
final class EverySchedule implements Recurrence {

    private final long intervalSeconds;

    /** Like Dkron (robfig/cron's Every): truncated to whole seconds, and at least one second. */
    EverySchedule(Duration interval) {
        this.intervalSeconds = Math.max(1, interval.getSeconds());
    }

    @Override
    public Optional<Instant> next(Instant after, Instant anchor) {
        Objects.requireNonNull(anchor, "@every needs the anchor instant at which the schedule was set");
        Duration sinceAnchor = Duration.between(anchor, after);
        // Smallest k >= 1 with k * interval > sinceAnchor. For sinceAnchor = s seconds + a fraction (s >= 0)
        // that is floor(s / interval) + 1, because multiples of the interval are whole seconds.
        long k = sinceAnchor.isNegative() ? 1 : sinceAnchor.getSeconds() / intervalSeconds + 1;
        try {
            return Optional.of(anchor.plusSeconds(Math.multiplyExact(k, intervalSeconds)));
        } catch (ArithmeticException | DateTimeException beyondInstantRange) {
            return Optional.empty();
        }
    }
}
