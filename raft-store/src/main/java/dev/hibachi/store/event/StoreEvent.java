package dev.hibachi.store.event;

import dev.hibachi.store.model.Execution;
import dev.hibachi.store.model.Job;
import dev.hibachi.store.model.JobClock;
import dev.hibachi.store.model.PendingChild;
import dev.hibachi.store.model.PendingDelete;
import dev.hibachi.store.model.PendingNotice;
import dev.hibachi.store.model.PendingRetry;
import dev.hibachi.store.model.Target;

import java.time.Duration;
import java.time.Instant;

/**
 * What an applied entry changed, told to listeners on every replica right after the entry's batch is
 * written. Followers use them to keep the next-fire index warm; the leader to dispatch and resume work.
 */
public sealed interface StoreEvent {

    /** The whole store was replaced (a snapshot from the leader was installed): rebuild what is derived. */
    record Reloaded() implements StoreEvent {
    }

    record JobChanged(Job job, JobClock clock) implements StoreEvent {
    }

    record JobDeleted(String name) implements StoreEvent {
    }

    /** An attempt now waits for dispatch to {@code target}, not before {@code notBefore}. */
    record AttemptPlanned(Job job, long runId, int attempt, Target target, Instant scheduledAt, Instant notBefore)
            implements StoreEvent {
    }

    record AttemptStarted(Execution execution) implements StoreEvent {
    }

    /** An attempt reached its final state (succeeded, failed or lost); nothing more will be sent for it. */
    record AttemptClosed(Execution execution) implements StoreEvent {
    }

    record RetryPending(PendingRetry retry) implements StoreEvent {
    }

    record PendingCompleted(String key) implements StoreEvent {
    }

    /** A child run waits to be planned (the parent's run succeeded). */
    record ChildPending(PendingChild child) implements StoreEvent {
    }

    /** An ephemeral job waits to be deleted (its run succeeded). */
    record DeletePending(PendingDelete delete) implements StoreEvent {
    }

    /**
     * A run of a {@code forbid} job waits behind an open run of the same job. Unless it is {@code late}, it
     * is skipped if it still waits at {@code scheduledAt}.
     */
    record RunQueued(String job, long runId, Instant scheduledAt, boolean late) implements StoreEvent {
    }

    /** Someone asked to kill an attempt: the leader tells its member until the attempt is closed. */
    record KillRequested(Job job, long runId, int attempt, Target target, Instant scheduledAt, String by)
            implements StoreEvent {
    }

    /**
     * Instants of a job that will never run were recorded: {@code kind} is {@code missed} (not planned in time) or
     * {@code skipped} (a {@code forbid} job's run still blocked at its instant); {@code count} of them.
     */
    record RunsMissed(String job, long count, String kind) implements StoreEvent {
    }

    /** An attempt is still running past its job's {@code expected_duration} (for alerts). */
    record AttemptOverdue(Execution execution, Duration expected) implements StoreEvent {
    }

    /** A notification intent waits for the leader to deliver it. */
    record NotificationPending(PendingNotice notice) implements StoreEvent {
    }
}
