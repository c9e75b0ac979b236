package dev.hibachi.store.schedule;

import java.time.Instant;
import java.util.Optional;

/** {@code @at} and {@code @after}: a single fire time, pending until it has passed. */
final class OnceSchedule implements Recurrence {

    private final Instant at;

    OnceSchedule(Instant at) {
        this.at = at;
    }

    @Override
    public Optional<Instant> next(Instant after, Instant anchor) {
        return at.isAfter(after) ? Optional.of(at) : Optional.empty();
    }
}
