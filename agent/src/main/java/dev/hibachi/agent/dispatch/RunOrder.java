package dev.hibachi.agent.dispatch;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.hibachi.store.model.Job;

import java.time.Instant;
import java.util.List;

/**
 * The leader's order to one member: run these attempts. Sent at the runs' instant and re-sent until the
 * member acknowledges; the member's journal makes a repeat harmless. {@code term} is the leader's Raft term.
 */
public record RunOrder(String leader, long term, List<Attempt> attempts) {

    /** One attempt to run, addressed to one incarnation of the member. */
    public record Attempt(Job job, @JsonProperty("run_id") long runId, int attempt, String incarnation,
                          @JsonProperty("scheduled_at") Instant scheduledAt,
                          @JsonProperty("not_before") Instant notBefore) {
        public String key() {
            return job.name() + "/" + runId + "/" + attempt;
        }
    }
}
