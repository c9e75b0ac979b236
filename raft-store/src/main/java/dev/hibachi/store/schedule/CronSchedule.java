package dev.hibachi.store.schedule;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.List;
import java.util.Optional;
import org.springframework.scheduling.support.CronExpression;

/**
 * A cron expression evaluated in the wall-clock time of a zone. Spring's {@link CronExpression} finds the
 * matching local date-times; this class maps them to instants, which is where daylight saving matters:
 *
 * <ul>
 *   <li><b>Gap</b> (spring forward, the local time does not exist): the job is not skipped; it fires at
 *       the first instant the wall clock reaches or passes that time, which is the transition itself.
 *       {@code 0 30 2 * * *} in America/New_York fires at 03:00 EDT on 2026-03-08. All matches inside one
 *       gap, and a match at the gap's end, collapse into that single instant.</li>
 *   <li><b>Overlap</b> (fall back, the local time occurs twice): an expression that names a particular
 *       time, i.e. whose second, minute and hour fields contain no {@code *} ({@code 0 30 1 * * *},
 *       {@code @daily}), fires once, at the earlier of the two instants. An interval-like expression, one
 *       with {@code *} in any of those fields (<code>0 *&#47;30 * * * *</code>, {@code @hourly},
 *       {@code * * * * * *}), fires at the real instants of both passes, keeping its cadence. This is the
 *       ISC/Vixie cron rule (cron(8): "Only jobs that run at a particular time (not specified as @hourly,
 *       nor with '*' in the hour or minute specifier) are affected").</li>
 * </ul>
 *
 * <p>Formally, a matching local time L fires at {@code first(L)}, the earliest instant whose wall-clock
 * time is &ge; L, and, for interval-like expressions when L is repeated by an overlap, also at L in the
 * offset after the overlap. {@code first} never decreases as L grows, so the next first-pass fire after
 * instant A is {@code first} of the first match after the highest wall-clock time shown up to A; the
 * second-pass fires can only come from the overlap around A. Fire times thus form a set, and
 * {@link #next} returns its least element after A: results strictly increase and never repeat.
 */
final class CronSchedule implements Recurrence {

    private final CronExpression expression;
    private final ZoneId zone;
    private final ZoneRules rules;
    private final boolean fixedTime;

    /** @throws IllegalArgumentException if Spring rejects a field */
    CronSchedule(CronFields fields, ZoneId zone) {
        this.expression = CronExpression.parse(fields.expression());
        this.zone = zone;
        this.rules = zone.getRules();
        this.fixedTime = fields.firesAtFixedTime();
    }

    @Override
    public Optional<Instant> next(Instant after, Instant anchor) {
        try {
            return Optional.ofNullable(nextFire(after));
        } catch (DateTimeException | ArithmeticException beyondSupportedRange) {
            // Spring or java.time ran past year 999,999,999 or Instant.MAX: nothing representable follows.
            return Optional.empty();
        }
    }

    private Instant nextFire(Instant after) {
        if (rules.isFixedOffset()) {
            LocalDateTime match = expression.next(LocalDateTime.ofInstant(after, zone));
            return match == null ? null : match.toInstant(rules.getOffset(after));
        }
        // Transitions at or before `after`, and the first one after it: the only overlaps whose
        // second pass can still hold a fire earlier than the next first-pass fire.
        ZoneOffsetTransition previous = rules.previousTransition(after.plusNanos(1));
        ZoneOffsetTransition following = rules.nextTransition(after);

        Instant best = firstPassAfter(after, previous);
        if (!fixedTime) {
            best = earlier(best, secondPassAfter(after, previous, best));
            best = earlier(best, secondPassAfter(after, following, best));
        }
        return best;
    }

    /** The next first-pass fire: first(L) for the first match L above the highest wall-clock time so far. */
    private Instant firstPassAfter(Instant after, ZoneOffsetTransition previous) {
        LocalDateTime highWater = LocalDateTime.ofInstant(after, zone);
        if (previous != null && previous.isOverlap()) {
            // During an overlap's second pass the clock has already shown times up to the transition.
            LocalDateTime shownBeforeFallBack = previous.getDateTimeBefore().minusNanos(1);
            if (shownBeforeFallBack.isAfter(highWater)) {
                highWater = shownBeforeFallBack;
            }
        }
        LocalDateTime match = expression.next(highWater);
        return match == null ? null : firstInstantShowing(match);
    }

    /** The earliest instant at which the wall clock shows {@code local} or later. */
    private Instant firstInstantShowing(LocalDateTime local) {
        List<ZoneOffset> offsets = rules.getValidOffsets(local);
        if (offsets.isEmpty()) {
            return rules.getTransition(local).getInstant(); // in a gap: the clock jumps past it here
        }
        // In an overlap the larger offset gives the earlier instant.
        ZoneOffset offset = offsets.size() == 1 || offsets.get(0).getTotalSeconds() > offsets.get(1).getTotalSeconds()
                ? offsets.get(0) : offsets.get(1);
        return local.toInstant(offset);
    }

    /**
     * The first match repeated by this overlap whose second-pass instant is after {@code after}, or null;
     * also null when that could not be earlier than {@code notAfter}, the best fire found so far.
     */
    private Instant secondPassAfter(Instant after, ZoneOffsetTransition transition, Instant notAfter) {
        if (transition == null || !transition.isOverlap()
                || (notAfter != null && !notAfter.isAfter(transition.getInstant()))) {
            return null; // second-pass instants start at the transition
        }
        ZoneOffset offset = transition.getOffsetAfter();
        LocalDateTime repeatedFrom = transition.getDateTimeAfter();
        LocalDateTime repeatedUntil = transition.getDateTimeBefore(); // exclusive
        LocalDateTime bound = LocalDateTime.ofInstant(after, offset);
        if (bound.isBefore(repeatedFrom)) {
            bound = repeatedFrom.minusNanos(1);
        }
        LocalDateTime match = expression.next(bound);
        return match != null && match.isBefore(repeatedUntil) ? match.toInstant(offset) : null;
    }

    private static Instant earlier(Instant a, Instant b) {
        if (a == null) {
            return b;
        }
        return b == null || a.isBefore(b) ? a : b;
    }
}
