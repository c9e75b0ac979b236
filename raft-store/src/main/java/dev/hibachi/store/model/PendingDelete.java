package dev.hibachi.store.model;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.time.Instant;

/**
 * Derived work, created when a run of an {@code ephemeral} job is over and succeeded: delete the job.
 * {@code revision} is the job's definition at that time; a job redefined since is not deleted.
 */
public record PendingDelete(
        String job,
        long revision,
        @JsonProperty("run_id") long runId,
        @JsonProperty("created_at") Instant createdAt) {

    public static final String PREFIX = "delete/";

    public String key() {
        return PREFIX + job;
    }
}
