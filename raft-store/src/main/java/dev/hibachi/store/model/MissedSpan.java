package dev.hibachi.store.model;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.time.Instant;

/**
 * Instants of a job that did not run, recorded as one range (never as executions, so Dkron clients do not
 * count them as failures): {@code count} instants from {@code from} to {@code to}, and why.
 */
public record MissedSpan(
        @JsonProperty("job_name") String jobName,
        Instant from,
        Instant to,
        long count,
        String reason,
        @JsonProperty("recorded_at") Instant recordedAt) {
}
