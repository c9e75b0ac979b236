package dev.hibachi.agent.dispatch;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.hibachi.store.model.Job;

import java.time.Instant;
import java.util.List;

/**
 * The leader's order to one member: run these attempts (or kill them). Sent at the runs' instant and re-sent
 * until the member acknowledges; the member's journal makes a repeat harmless. {@code term} is the leader's
 * Raft term.
 */
public record RunOrder(String leader, long term, List<Attempt> attempts) {

    /**
     * One attempt, addressed to one incarnation of the member. With {@code kill} set (who asked, as committed in
     * {@code KillRequested}) it is an order to kill that attempt, never to start it: the member kills it if it
     * runs, and closes it as killed if it has not started. Normal orders carry no {@code kill} on the wire.
     */
    public record Attempt(Job job, @JsonProperty("run_id") long runId, int attempt, String incarnation,
                          @JsonProperty("scheduled_at") Instant scheduledAt,
                          @JsonProperty("not_before") Instant notBefore,
                          @JsonInclude(JsonInclude.Include.NON_NULL) String kill) {

        /** An order to run the attempt. */
        public Attempt(Job job, long runId, int attempt, String incarnation, Instant scheduledAt, Instant notBefore) {
            this(job, runId, attempt, incarnation, scheduledAt, notBefore, null);
        }

        /** An order to kill the attempt, at the request of {@code by}. */
        public static Attempt killOrder(Job job, long runId, int attempt, String incarnation, Instant scheduledAt,
                                   String by) {
            return new Attempt(job, runId, attempt, incarnation, scheduledAt, scheduledAt, by);
        }

        public String key() {
            return key(job.name(), runId, attempt);
        }

        /** How a member names an attempt (its journal key). */
        public static String key(String job, long runId, int attempt) {
            return job + "/" + runId + "/" + attempt;
        }
    }
}
