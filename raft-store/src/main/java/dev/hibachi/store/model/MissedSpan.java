package dev.hibachi.store.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.time.Instant;

/**
 * Instants of a job that did not run, recorded as one range (never as executions, so Dkron clients do not
 * count them as failures): {@code count} instants from {@code from} to {@code to}, and why. {@code kind} is
 * {@value #MISSED} (not planned in time, past the misfire grace) or {@value #SKIPPED} (a {@code forbid} job
 * was still running; {@code blocked_by} is that run's id, and one span grows while the same run blocks).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record MissedSpan(
        @JsonProperty("job_name") String jobName,
        Instant from,
        Instant to,
        long count,
        String reason,
        @JsonProperty("recorded_at") Instant recordedAt,
        String kind,
        @JsonProperty("blocked_by") Long blockedBy) {

    public static final String MISSED = "missed";
    public static final String SKIPPED = "skipped";

    /** A span of instants missed (not planned in time). */
    public MissedSpan(String jobName, Instant from, Instant to, long count, String reason, Instant recordedAt) {
        this(jobName, from, to, count, reason, recordedAt, MISSED, null);
    }

    /** This span, grown by one more skipped instant. */
    public MissedSpan plusOne(Instant instant, Instant at) {
        return new MissedSpan(jobName, from.isBefore(instant) ? from : instant, to.isAfter(instant) ? to : instant,
                count + 1, reason, at, kind, blockedBy);
    }
}
