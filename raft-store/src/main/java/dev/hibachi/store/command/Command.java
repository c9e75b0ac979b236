package dev.hibachi.store.command;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.hibachi.store.model.ClusterSettings;
import dev.hibachi.store.model.Job;
import dev.hibachi.store.model.MissedSpan;
import dev.hibachi.store.model.Run;
import dev.hibachi.store.model.Target;

import java.time.Instant;
import java.util.List;

/**
 * Everything that changes the store, as it is written in the Raft log. Each command carries every time
 * its apply needs ({@code at}, stamped by whoever proposed it), because apply reads no clock: every replica
 * must reach the same bytes.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = Command.InitCluster.class, name = "InitCluster"),
        @JsonSubTypes.Type(value = Command.PutJob.class, name = "PutJob"),
        @JsonSubTypes.Type(value = Command.DeleteJob.class, name = "DeleteJob"),
        @JsonSubTypes.Type(value = Command.ToggleJob.class, name = "ToggleJob"),
        @JsonSubTypes.Type(value = Command.PlanRuns.class, name = "PlanRuns"),
        @JsonSubTypes.Type(value = Command.PlanRetries.class, name = "PlanRetries"),
        @JsonSubTypes.Type(value = Command.ReportAttempts.class, name = "ReportAttempts"),
        @JsonSubTypes.Type(value = Command.LoseAttempts.class, name = "LoseAttempts"),
        @JsonSubTypes.Type(value = Command.CompletePending.class, name = "CompletePending"),
        @JsonSubTypes.Type(value = Command.DeleteExecutions.class, name = "DeleteExecutions"),
})
public sealed interface Command {

    Instant at();

    /** Records the cluster-wide settings; the first one committed wins. */
    record InitCluster(Instant at, ClusterSettings settings) implements Command {
    }

    /** Creates or replaces a job (an upsert, as Dkron's POST). */
    record PutJob(Instant at, Job job) implements Command {
    }

    record DeleteJob(Instant at, String name) implements Command {
    }

    /** Flips {@code disabled}. */
    record ToggleJob(Instant at, String name) implements Command {
    }

    /**
     * The runs due at one or a few instants, each with its targets already chosen, and the instants that
     * were missed. {@code following} is the job's next instant after this one, so {@code next} is
     * replicated without another entry.
     */
    record PlanRuns(Instant at, List<PlannedRun> runs, List<MissedSpan> misses) implements Command {
    }

    record PlannedRun(String job, long revision, @JsonProperty("scheduled_at") Instant scheduledAt,
                      Instant following, Run.Trigger trigger, List<Target> targets, String reason) {
    }

    /** Next attempts of failed slots, each carrying out one pending retry record. */
    record PlanRetries(Instant at, List<RetryPlan> retries) implements Command {
    }

    record RetryPlan(@JsonProperty("pending_key") String pendingKey, String job, @JsonProperty("run_id") long runId,
                     String node, int attempt, Target target) {
    }

    /** A member's batch of attempt starts and results (at most one entry per member every ~50 ms). */
    record ReportAttempts(Instant at, String node, String incarnation, List<AttemptReport> reports)
            implements Command {
    }

    record AttemptReport(String job, @JsonProperty("run_id") long runId, int attempt, Phase phase,
                         @JsonProperty("started_at") Instant startedAt,
                         @JsonProperty("finished_at") Instant finishedAt,
                         boolean success, @JsonProperty("exit_code") int exitCode, String output,
                         boolean truncated) {
        public enum Phase { STARTED, FINISHED }
    }

    /** The verdict that attempts on members that vanished are over (after the lost-grace). */
    record LoseAttempts(Instant at, List<AttemptRef> attempts, String reason) implements Command {
    }

    record AttemptRef(String job, @JsonProperty("run_id") long runId, int attempt, String node) {
    }

    record CompletePending(Instant at, List<String> keys) implements Command {
    }

    /** Deletes a job's execution history and resets its counters. */
    record DeleteExecutions(Instant at, String name) implements Command {
    }
}
