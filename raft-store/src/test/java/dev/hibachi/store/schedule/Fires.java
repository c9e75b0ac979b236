package dev.hibachi.store.schedule;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** Test shorthand: fire sequences of a schedule, and instants written as ISO offset date-times. */
final class Fires {

    static final Instant ANCHOR = Instant.parse("2020-01-01T00:00:00Z");

    private Fires() {
    }

    /** The next {@code count} fire instants after {@code after}, stopping early if the schedule ends. */
    static List<Instant> after(Schedule schedule, Instant after, int count) {
        List<Instant> fires = new ArrayList<>();
        Instant cursor = after;
        for (int i = 0; i < count; i++) {
            Optional<Instant> next = schedule.next(cursor, ANCHOR);
            if (next.isEmpty()) {
                break;
            }
            fires.add(next.get());
            cursor = next.get();
        }
        return fires;
    }

    /** "2026-03-08T03:00-04:00" or "2026-03-08T07:00Z": an instant, written the way a reader checks it. */
    static Instant at(String offsetDateTime) {
        return OffsetDateTime.parse(offsetDateTime).toInstant();
    }

    /** Space-separated offset date-times. */
    static List<Instant> list(String offsetDateTimes) {
        return Arrays.stream(offsetDateTimes.trim().split("\\s+")).map(Fires::at).toList();
    }
}
