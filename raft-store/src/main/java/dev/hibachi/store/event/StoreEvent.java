package dev.hibachi.store.event;

import dev.hibachi.store.model.Execution;
import dev.hibachi.store.model.Job;
import dev.hibachi.store.model.JobClock;
import dev.hibachi.store.model.PendingRetry;
import dev.hibachi.store.model.Target;

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
}
