package dev.hibachi.store.model;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.time.Instant;

/**
 * The replicated time of a job's schedule, which decides which instants exist, whatever a leader's clock
 * says: {@code anchor} is when the schedule was set ({@code @every} counts from it), {@code lastPlannedAt}
 * the newest instant already planned (a plan is accepted only for a later one), and {@code revision} the log
 * index of the last change to the job, so a plan made from an older definition is refused.
 */
public record JobClock(
        Instant anchor,
        @JsonProperty("last_planned_at") Instant lastPlannedAt,
        long revision) {

    public JobClock planned(Instant instant) {
        return new JobClock(anchor, instant, revision);
    }
}
