package dev.hibachi.store.model;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.time.Instant;

/**
 * Derived work, created when a parent's run is over and every target of it succeeded: one run of the child
 * job {@code job}. The key is the child and the parent's run id, so a child runs once per parent run however
 * many members the parent ran on, and a new leader resumes exactly the children not yet planned.
 */
public record PendingChild(
        String job,
        @JsonProperty("parent_job") String parentJob,
        @JsonProperty("parent_run_id") long parentRunId,
        @JsonProperty("created_at") Instant createdAt) {

    public static final String PREFIX = "child/";

    public String key() {
        return PREFIX + job + "/" + String.format("%020d", parentRunId);
    }
}
