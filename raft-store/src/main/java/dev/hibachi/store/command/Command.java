package dev.hibachi.store.command;

import com.fasterxml.jackson.annotation.JsonInclude;
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
        @JsonSubTypes.Type(value = Command.SkipQueuedRuns.class, name = "SkipQueuedRuns"),
        @JsonSubTypes.Type(value = Command.RequestKill.class, name = "KillRequested"),
        @JsonSubTypes.Type(value = Command.FlagOverdue.class, name = "FlagOverdue"),
        @JsonSubTypes.Type(value = Command.SetPaused.class, name = "SetPaused"),
        @JsonSubTypes.Type(value = Command.RecordClusterEvent.class, name = "RecordClusterEvent"),
        @JsonSubTypes.Type(value = Command.CompleteNotifications.class, name = "CompleteNotifications"),
})
public sealed interface Command {

    Instant at();

    /** Records the cluster-wide settings; the first one committed wins. */
    record InitCluster(Instant at, ClusterSettings settings) implements Command {
    }

    /** Creates or replaces a job (an upsert, as Dkron's POST). */
    record PutJob(Instant at, Job job) implements Command {
    }

    /**
     * Deletes a job. {@code pendingKey}, when set, is the pending ephemeral delete this carries out: the
     * delete then happens only while that record exists (once), and only if the job was not redefined since.
     */
    record DeleteJob(Instant at, String name, @JsonProperty("pending_key") String pendingKey) implements Command {
        public DeleteJob(Instant at, String name) {
            this(at, name, null);
        }
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

    /**
     * One run to create. A child run names the parent run it follows and the pending record it carries out
     * ({@code pending_key}), which the plan consumes: a child runs once per parent run.
     */
    record PlannedRun(String job, long revision, @JsonProperty("scheduled_at") Instant scheduledAt,
                      Instant following, Run.Trigger trigger, List<Target> targets, String reason,
                      @JsonProperty("parent_run_id") Long parentRunId, @JsonProperty("pending_key") String pendingKey) {
        public PlannedRun(String job, long revision, Instant scheduledAt, Instant following, Run.Trigger trigger,
                          List<Target> targets, String reason) {
            this(job, revision, scheduledAt, following, trigger, targets, reason, null, null);
        }
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
                         boolean truncated, @JsonInclude(JsonInclude.Include.NON_EMPTY) List<Artifact> artifacts) {
        public enum Phase { STARTED, FINISHED }

        /** A report without artifacts (a start, or a result with none); entries written before them read so. */
        public AttemptReport(String job, long runId, int attempt, Phase phase, Instant startedAt, Instant finishedAt,
                             boolean success, int exitCode, String output, boolean truncated) {
            this(job, runId, attempt, phase, startedAt, finishedAt, success, exitCode, output, truncated, null);
        }

        public AttemptReport {
            artifacts = artifacts == null ? List.of() : List.copyOf(artifacts);
        }

        /** This report with {@code value} as its output and {@code more} as its artifacts. */
        public AttemptReport with(String value, boolean cut, List<Artifact> more) {
            return new AttemptReport(job, runId, attempt, phase, startedAt, finishedAt, success, exitCode, value, cut,
                    more);
        }
    }

    /**
     * A file the attempt left in its {@code $HIBACHI_ARTIFACTS} folder: its path relative to that folder ({@code /}
     * between names) and its bytes (base64 in the JSON; the entry is deflated as a whole).
     */
    record Artifact(String path, byte[] data) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Artifact a && java.util.Objects.equals(path, a.path)
                    && java.util.Arrays.equals(data, a.data);
        }

        @Override
        public int hashCode() {
            return 31 * java.util.Objects.hashCode(path) + java.util.Arrays.hashCode(data);
        }

        @Override
        public String toString() {
            return "Artifact[" + path + ", " + (data == null ? 0 : data.length) + " bytes]";
        }
    }

    /** The verdict that attempts on members that vanished are over (after the lost-grace). */
    record LoseAttempts(Instant at, List<AttemptRef> attempts, String reason) implements Command {
    }

    record AttemptRef(String job, @JsonProperty("run_id") long runId, int attempt, String node) {
    }

    record CompletePending(Instant at, List<String> keys) implements Command {
    }

    /**
     * Skips queued runs of {@code forbid} jobs whose instant came while the run before them was still open
     * (the leader sends it at the instant; a run released meanwhile is left alone).
     */
    record SkipQueuedRuns(Instant at, List<RunRef> runs) implements Command {
    }

    record RunRef(String job, @JsonProperty("run_id") long runId) {
    }

    /** A user asked to kill one attempt ({@code KillRequested}): the member is told, and the result is "killed". */
    record RequestKill(Instant at, String job, @JsonProperty("run_id") long runId, int attempt, String node,
                       String by) implements Command {
    }

    /** Attempts still running past their job's {@code expected_duration}, as the leader saw them. */
    record FlagOverdue(Instant at, List<AttemptRef> attempts) implements Command {
    }

    /** Pauses or resumes new job submissions, cluster-wide ({@code POST /v1/pause}, {@code /v1/unpause}). */
    record SetPaused(Instant at, boolean paused) implements Command {
    }

    /** Deletes a job's execution history and resets its counters. */
    record DeleteExecutions(Instant at, String name) implements Command {
    }

    /**
     * A cluster event the leader saw ({@code MEMBER_FAILED}: the membership listener; {@code LEADER_CHANGED}: it
     * became the leader), committed only when cluster notifications are asked for, so that its notification is
     * an intent like every other.
     */
    record RecordClusterEvent(Instant at, String event, String node, String detail) implements Command {
        public static final String MEMBER_FAILED = "MEMBER_FAILED";
        public static final String LEADER_CHANGED = "LEADER_CHANGED";
    }

    /**
     * The leader delivered these notification intents (every chosen channel sent them, or gave up): their
     * records go. {@code outcome} ({@code delivered}, {@code given up}, ...) is only logged.
     */
    record CompleteNotifications(Instant at, @JsonProperty("delivery_ids") List<String> deliveryIds, String outcome)
            implements Command {
    }
}
