package dev.hibachi.api;

import dev.hibachi.store.model.Job;
import dev.hibachi.store.schedule.Schedule;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The next fire instants of a schedule after now, computed with the store's own schedule code, so the dashboard
 * shows what the scheduler will do. {@code @every} needs the instant it counts from: for a stored job that is its
 * {@code next} (a fire instant the store computed from the replicated anchor, so every later one is a whole
 * number of intervals after it); for a schedule not yet stored, now, as the store anchors one when it is set.
 */
final class UpcomingFires {
    /** The most instants one answer lists. */
    static final int MAX = 100;

    private UpcomingFires() {
    }

    /**
     * The job's next {@code count} fire instants: none when it does not fire on its own (disabled, a child,
     * {@code @manually}, past its {@code expires_at}). {@code schedule} is the job's, already bounded by its
     * {@code starts_at}/{@code expires_at}.
     */
    static List<Instant> of(Job job, Schedule schedule, Instant now, int count) {
        if (job.disabled() || schedule.kind() == Schedule.Kind.MANUALLY) {
            return List.of();
        }
        if (schedule.kind() != Schedule.Kind.EVERY) {
            return of(schedule, now, now, count);
        }
        Instant known = job.next();
        if (known == null) {
            return List.of();
        }
        List<Instant> fires = new ArrayList<>();
        if (known.isAfter(now)) {
            fires.add(known);
        }
        Instant from = known.isAfter(now) ? known : now;
        fires.addAll(of(schedule, from, known, count - fires.size()));
        return fires;
    }

    /** The next {@code count} instants of {@code schedule} strictly after {@code after}. */
    static List<Instant> of(Schedule schedule, Instant after, Instant anchor, int count) {
        List<Instant> fires = new ArrayList<>(count);
        Instant at = after;
        while (fires.size() < count) {
            at = schedule.next(at, anchor).orElse(null);
            if (at == null) {
                break;
            }
            fires.add(at);
        }
        return fires;
    }
}
