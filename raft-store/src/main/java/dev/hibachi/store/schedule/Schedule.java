package dev.hibachi.store.schedule;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.Optional;

/**
 * A parsed Dkron job schedule: a 6-field (or 5-field) cron expression, a descriptor such as
 * {@code @daily}, {@code @every <duration>}, {@code @at <RFC 3339>}, {@code @after <RFC 3339> <grace>}
 * or {@code @manually}, optionally prefixed by {@code CRON_TZ=Area/City } or {@code TZ=Area/City }.
 *
 * <p>Immutable and thread-safe. Cron schedules are evaluated in wall-clock time of {@link #zone()};
 * see {@link CronSchedule} for how daylight-saving gaps and overlaps are handled.
 */
public final class Schedule {

    /** Used when no zone is given: UTC, so that every node computes the same instants. */
    private static final ZoneId DEFAULT_ZONE = ZoneOffset.UTC;

    public enum Kind { CRON, EVERY, AT, AFTER, MANUALLY }

    private final String spec;
    private final ZoneId zone;
    private final Kind kind;
    private final Recurrence recurrence;
    private final Duration catchUpGrace;

    Schedule(String spec, ZoneId zone, Kind kind, Recurrence recurrence, Duration catchUpGrace) {
        this.spec = spec;
        this.zone = zone;
        this.kind = kind;
        this.recurrence = recurrence;
        this.catchUpGrace = catchUpGrace;
    }

    /**
     * Parses a Dkron schedule.
     *
     * @param jobName feeds the {@code ~} hash token; null counts as the empty name
     * @param zone    the job's zone; UTC when null. A {@code CRON_TZ=}/{@code TZ=} prefix wins over it.
     */
    public static Schedule parse(String spec, String jobName, ZoneId zone) throws InvalidScheduleException {
        return ScheduleParser.parse(spec, jobName == null ? "" : jobName, zone == null ? DEFAULT_ZONE : zone);
    }

    /**
     * The first fire instant strictly after {@code after}; empty if the schedule never fires again
     * (or only beyond the range of {@link Instant}).
     *
     * @param anchor the replicated instant at which the schedule was set; only {@code @every} uses it
     *               (and requires it): it fires at {@code anchor + k * interval} for k &ge; 1.
     */
    public Optional<Instant> next(Instant after, Instant anchor) {
        Objects.requireNonNull(after, "after");
        return recurrence.next(after, anchor);
    }

    /**
     * This schedule limited to {@code [startsAt, expiresAt]} (Dkron's {@code starts_at} and {@code expires_at};
     * either may be null): no instant before the first, none after the second.
     */
    public Schedule within(Instant startsAt, Instant expiresAt) {
        if (startsAt == null && expiresAt == null) {
            return this;
        }
        Recurrence inner = recurrence;
        Recurrence bounded = (after, anchor) -> {
            Instant from = startsAt != null && after.isBefore(startsAt) ? startsAt.minusNanos(1) : after;
            return inner.next(from, anchor).filter(t -> expiresAt == null || !t.isAfter(expiresAt));
        };
        return new Schedule(spec, zone, kind, bounded, catchUpGrace);
    }

    /** The original text, as given to {@link #parse}. */
    public String spec() {
        return spec;
    }

    /** The zone the schedule runs in: the prefix's zone if there is one, else the zone given to parse. */
    public ZoneId zone() {
        return zone;
    }

    public Kind kind() {
        return kind;
    }

    /** How late an {@code @after} job may still be started; empty for every other kind. */
    public Optional<Duration> catchUpGrace() {
        return Optional.ofNullable(catchUpGrace);
    }

    @Override
    public String toString() {
        return spec + " (" + zone + ")";
    }
}
