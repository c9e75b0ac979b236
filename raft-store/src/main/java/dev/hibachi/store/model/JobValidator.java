package dev.hibachi.store.model;

import dev.hibachi.store.schedule.GoDuration;
import dev.hibachi.store.schedule.InvalidScheduleException;
import dev.hibachi.store.schedule.Schedule;

import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Set;

/**
 * The checks a job must pass on its own (relations to other jobs are checked when it is applied). The API
 * runs them before proposing, to answer 400 at once; apply runs them again, because the log is the truth.
 */
public final class JobValidator {
    public static final int MAX_NAME_BYTES = 200;
    public static final int MAX_RETRIES = 100;
    public static final Duration MAX_MISFIRE_GRACE = Duration.ofDays(7);
    private static final List<String> MISFIRE_POLICIES = List.of(Job.MISFIRE_RUN_ONCE, Job.MISFIRE_SKIP,
            Job.MISFIRE_RUN_ALL);
    private static final Set<String> ZONES = ZoneId.getAvailableZoneIds();

    private JobValidator() {
    }

    /** Checks {@code job}; the exception names the first field at fault. */
    public static void validate(Job job, ZoneId defaultZone) throws InvalidJobException {
        String name = job.name();
        if (name == null || name.isEmpty()) {
            throw new InvalidJobException("name", "name is required");
        }
        if (name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
            throw new InvalidJobException("name", "name is longer than " + MAX_NAME_BYTES + " bytes");
        }
        int bad = name.codePoints()
                .filter(cp -> !(Character.isLowerCase(cp) || Character.isDigit(cp) || cp == '_' || cp == '-'))
                .findFirst().orElse(-1);
        if (bad >= 0) {
            throw new InvalidJobException("name", "name contains illegal character '" + Character.toString(bad)
                    + "': only lower-case letters, digits, '_' and '-' are allowed");
        }
        if (job.parentJob() != null && job.parentJob().equals(name)) {
            throw new InvalidJobException("parent_job", "a job cannot be its own parent");
        }
        String concurrency = job.concurrency();
        if (concurrency != null && !concurrency.isEmpty() && !concurrency.equals(Job.CONCURRENCY_ALLOW)
                && !concurrency.equals(Job.CONCURRENCY_FORBID)) {
            throw new InvalidJobException("concurrency", "concurrency must be \"allow\" or \"forbid\", not \""
                    + concurrency + "\"");
        }
        if (job.retries() < 0 || job.retries() > MAX_RETRIES) {
            throw new InvalidJobException("retries", "retries must be between 0 and " + MAX_RETRIES);
        }
        String misfire = job.misfire();
        if (misfire != null && !misfire.isEmpty() && !MISFIRE_POLICIES.contains(misfire)) {
            throw new InvalidJobException("misfire", "misfire must be one of " + MISFIRE_POLICIES + ", not \""
                    + misfire + "\"");
        }
        duration(job.misfireGrace(), "misfire_grace", Duration.ZERO, MAX_MISFIRE_GRACE);
        duration(job.expectedDuration(), "expected_duration", Duration.ofMillis(1), Duration.ofDays(366));
        Backoff backoff = job.retryBackoff();
        if (backoff != null) {
            if (backoff.initial() == null || backoff.initial().isEmpty()) {
                throw new InvalidJobException("retry_backoff.initial", "retry_backoff.initial is required (a Go"
                        + " duration such as \"5s\")");
            }
            Duration initial = duration(backoff.initial(), "retry_backoff.initial", Duration.ofMillis(1), Backoff.LIMIT);
            Duration max = duration(backoff.max(), "retry_backoff.max", initial, Backoff.LIMIT);
            Double m = backoff.multiplier();
            if (m != null && !(m >= 1.0 && m <= 10.0)) {
                throw new InvalidJobException("retry_backoff.multiplier", "retry_backoff.multiplier must be between"
                        + " 1 and 10");
            }
        }
        if (job.startsAt() != null && job.expiresAt() != null && !job.expiresAt().isAfter(job.startsAt())) {
            throw new InvalidJobException("expires_at", "expires_at must be after starts_at");
        }
        ZoneId zone = zoneOf(job, defaultZone);
        boolean needsSchedule = !job.isChild();
        String schedule = job.schedule();
        if (schedule == null || schedule.isBlank()) {
            if (needsSchedule) {
                throw new InvalidJobException("schedule", "schedule is required (or a parent_job)");
            }
            return;
        }
        try {
            Schedule.parse(schedule, name, zone);
        } catch (InvalidScheduleException e) {
            throw new InvalidJobException("schedule", e.getMessage());
        }
    }

    /** Parses an optional Go duration field and checks it lies in {@code [min, max]}; null when absent. */
    private static Duration duration(String text, String field, Duration min, Duration max)
            throws InvalidJobException {
        if (text == null || text.isEmpty()) {
            return null;
        }
        Duration d;
        try {
            d = GoDuration.parse(text);
        } catch (IllegalArgumentException e) {
            throw new InvalidJobException(field, field + " \"" + text + "\" is not a duration (examples: \"90s\","
                    + " \"5m\", \"1h30m\")");
        }
        if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
            throw new InvalidJobException(field, field + " must be between " + GoDuration.format(min) + " and "
                    + GoDuration.format(max) + ", not " + text);
        }
        return d;
    }

    /** A job's schedule in its zone, limited to its {@code starts_at} and {@code expires_at}. */
    public static Schedule scheduleOf(Job job, ZoneId defaultZone) throws InvalidScheduleException, InvalidJobException {
        return Schedule.parse(job.schedule(), job.name(), zoneOf(job, defaultZone)).within(job.startsAt(),
                job.expiresAt());
    }

    /** The zone a job's schedule runs in: its own timezone, or the cluster's default zone. */
    public static ZoneId zoneOf(Job job, ZoneId defaultZone) throws InvalidJobException {
        String tz = job.timezone();
        if (tz == null || tz.isEmpty()) {
            return defaultZone;
        }
        if (!ZONES.contains(tz)) {
            throw new InvalidJobException("timezone", "timezone \"" + tz + "\" is not an IANA time zone name"
                    + " (example: Europe/Berlin)");
        }
        return ZoneId.of(tz);
    }

    public static final class InvalidJobException extends Exception {
        private final String field;

        public InvalidJobException(String field, String message) {
            super(message, null, false, false);
            this.field = field;
        }

        public String field() {
            return field;
        }
    }
}
