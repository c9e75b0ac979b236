package dev.hibachi.store.model;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.time.Instant;

/**
 * Derived work, created when a failed attempt is applied: the next attempt of one slot of a run, due at
 * {@code notBefore}. The leader carries it out by committing a retry plan, which removes the record, so a
 * new leader resumes exactly what the old one left and no two leaders can both retry it.
 */
public record PendingRetry(
        String job,
        @JsonProperty("run_id") long runId,
        String node,
        int attempt,
        @JsonProperty("not_before") Instant notBefore) {

    public String key() {
        return "retry/" + job + "/" + runId + "/" + node + "/" + attempt;
    }
}
