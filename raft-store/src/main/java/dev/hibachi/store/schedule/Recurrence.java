package dev.hibachi.store.schedule;

import java.time.Instant;
import java.util.Optional;

/** One kind of schedule's rule for the next fire time; see {@link Schedule#next(Instant, Instant)}. */
interface Recurrence {
    Optional<Instant> next(Instant after, Instant anchor);
}
