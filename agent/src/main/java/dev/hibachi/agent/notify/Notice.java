package dev.hibachi.agent.notify;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One thing to tell people about, as the leader hands it to each {@link Channel}: made from a notification intent
 * that the store committed (so every leader would send the same), with the id that lets receivers drop repeats.
 *
 * @param deliveryId stable across re-sends and leader changes; sent as {@code X-Hibachi-Delivery} and in the mail
 *     Message-ID
 * @param event what happened
 * @param at when it happened (the committed time of the entry that recorded it)
 * @param job the job's name; null for cluster events
 * @param ownerEmail the job's {@code owner_email} when known (may be a comma-separated list); null or empty: none
 * @param metadata the job's metadata when known (per-job overrides live there); never null
 * @param runId the run ({@code group}); 0 when the event is not about one run
 * @param status run events: the run's status ({@code success}, {@code failed}, {@code killed}); else null
 * @param previousStatus {@link Event#RUN_FINISHED}: the job's status before this run (for {@code notify-on change});
 *     null when there was none
 * @param executions run events: each execution of the run, final attempts only; empty otherwise
 * @param detail a sentence for people saying what happened (every event has one)
 */
public record Notice(String deliveryId, Event event, Instant at, String job, String ownerEmail,
                     Map<String, String> metadata, long runId, String status, String previousStatus,
                     List<Attempt> executions, String detail) {

    public Notice {
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
        executions = executions == null ? List.of() : List.copyOf(executions);
    }

    public enum Event {
        /** A run's first attempt started (Dkron's pre-webhook); once per run. */
        RUN_STARTED,
        /** A run is over: every target's final attempt finished (after its retries). */
        RUN_FINISHED,
        /** Scheduled instants that did not run (misfire policy, outage). */
        RUN_MISSED,
        /** An instant skipped because the previous run still ran ({@code concurrency: forbid}). */
        RUN_SKIPPED,
        /** An attempt still running past the job's {@code expected_duration}. */
        RUN_OVERDUE,
        /** An attempt killed on request. */
        RUN_KILLED,
        JOB_CREATED,
        JOB_CHANGED,
        JOB_DELETED,
        MEMBER_FAILED,
        LEADER_CHANGED
    }

    /** One execution of a run, as it ended. */
    public record Attempt(String id, String node, int attempt, Instant startedAt, Instant finishedAt,
                          boolean success, Integer exitCode, String output) {
    }

    /** Whether the event concerns one job's run. */
    public boolean isRunEvent() {
        return runId != 0;
    }
}
