package dev.hibachi.agent.leader;

import dev.hibachi.agent.cluster.Member;
import dev.hibachi.agent.cluster.Membership;
import dev.hibachi.agent.dispatch.TargetSelector;
import dev.hibachi.store.apply.Reply;
import dev.hibachi.store.command.Command;
import dev.hibachi.store.event.StoreEvent;
import dev.hibachi.store.event.StoreListener;
import dev.hibachi.store.model.Job;
import dev.hibachi.store.model.PendingChild;
import dev.hibachi.store.model.PendingDelete;
import dev.hibachi.store.model.PendingRetry;
import dev.hibachi.store.model.Run;
import dev.hibachi.store.model.Target;
import dev.hibachi.store.raft.JobStateMachine;
import dev.hibachi.store.raft.StoreClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Carries out, on the leader, the derived work that the state machine recorded as pending: retries (at
 * their {@code not_before}), child runs and ephemeral deletes (at once), and the skip of a queued
 * {@code forbid} run still waiting at its instant. Each is carried out by committing the entry that consumes
 * it, and apply checks again that it is still due, so whichever server leads resumes exactly the work still
 * pending, and no piece of work is done twice.
 */
public final class Outbox implements StoreListener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Outbox.class);
    private static final Duration TRY_AGAIN = Duration.ofSeconds(1);

    private final JobStateMachine store;
    private final StoreClient client;
    private final Membership membership;
    private final TargetSelector selector;
    private final Clock clock;
    private final ScheduledExecutorService timer;
    private final Map<String, ScheduledFuture<?>> scheduled = new ConcurrentHashMap<>();
    private volatile boolean active;

    /** One piece of pending work: its key, and the entry that carries it out (empty when there is none yet). */
    private interface Work {
        String key();

        /** The command to commit now, or empty to try again later. */
        Optional<Command> command();

        /** Whether the reply means the work is settled (done, or nothing left to do). */
        default boolean settledBy(Reply reply) {
            return reply.ok() || Integer.valueOf(404).equals(reply.status()) || Integer.valueOf(409).equals(reply.status());
        }
    }

    public Outbox(JobStateMachine store, StoreClient client, Membership membership, TargetSelector selector,
                  Clock clock, ScheduledExecutorService timer) {
        this.store = store;
        this.client = client;
        this.membership = membership;
        this.selector = selector;
        this.clock = clock;
        this.timer = timer;
    }

    /** Resumes every pending record in the store (this server just became the leader). */
    public void start() {
        active = true;
        store.read(v -> v.pendingRetries()).forEach(r -> schedule(retry(r), r.notBefore()));
        store.read(v -> v.pendingChildren()).forEach(c -> schedule(child(c), null));
        store.read(v -> v.pendingDeletes()).forEach(d -> schedule(delete(d), null));
        for (Run run : store.read(v -> v.openRuns())) {
            if (run.isQueued() && !run.isLate()) {
                schedule(skip(run.job(), run.runId()), run.scheduledAt());
            }
        }
    }

    public void stop() {
        active = false;
        scheduled.values().forEach(f -> f.cancel(false));
        scheduled.clear();
    }

    @Override
    public void onEvent(StoreEvent event) {
        if (event instanceof StoreEvent.PendingCompleted c) {
            cancel(c.key());
        }
        if (!active) {
            return;
        }
        if (event instanceof StoreEvent.RetryPending p) {
            schedule(retry(p.retry()), p.retry().notBefore());
        } else if (event instanceof StoreEvent.ChildPending c) {
            schedule(child(c.child()), null);
        } else if (event instanceof StoreEvent.DeletePending d) {
            schedule(delete(d.delete()), null);
        } else if (event instanceof StoreEvent.RunQueued q && !q.late()) {
            schedule(skip(q.job(), q.runId()), q.scheduledAt());
        }
    }

    private void cancel(String key) {
        ScheduledFuture<?> f = scheduled.remove(key);
        if (f != null) {
            f.cancel(false);
        }
    }

    /** Carries out {@code work} at {@code due} (null: now), by the leader's clock. */
    private void schedule(Work work, Instant due) {
        long delay = due == null ? 0 : Math.max(0, Duration.between(clock.instant(), due).toMillis());
        scheduled.put(work.key(), timer.schedule(() -> carryOut(work), delay, TimeUnit.MILLISECONDS));
    }

    private void carryOut(Work work) {
        if (!active) {
            return;
        }
        Optional<Command> command;
        try {
            command = work.command();
        } catch (RuntimeException e) {
            LOG.warn("Preparing {} failed; trying again", work.key(), e);
            command = Optional.empty();
        }
        if (command.isEmpty()) {
            if (scheduled.containsKey(work.key())) {
                tryAgain(work);
            }
            return;
        }
        CompletableFuture<Reply> sent = client.submit(command.get());
        sent.whenComplete((reply, error) -> {
            if (error == null && reply != null && work.settledBy(reply)) {
                if (!reply.ok()) {
                    LOG.debug("{} settled: {}", work.key(), reply.error());
                }
                scheduled.remove(work.key());
            } else if (active) {
                LOG.debug("{} not committed ({}); trying again", work.key(),
                        error != null ? error.getMessage() : reply == null ? "no reply" : reply.error());
                tryAgain(work);
            }
        });
    }

    private void tryAgain(Work work) {
        scheduled.put(work.key(), timer.schedule(() -> carryOut(work), TRY_AGAIN.toMillis(), TimeUnit.MILLISECONDS));
    }

    // ---- the kinds of work ------------------------------------------------------------------------------

    /** The next attempt, on the same member if it is alive (in whatever incarnation), else another that matches. */
    private Work retry(PendingRetry retry) {
        return new Work() {
            @Override
            public String key() {
                return retry.key();
            }

            @Override
            public Optional<Command> command() {
                Optional<Job> job = store.read(v -> v.job(retry.job()));
                if (job.isEmpty()) {
                    scheduled.remove(retry.key());
                    return Optional.empty();
                }
                Optional<Member> same = membership.member(retry.node()).filter(Member::alive);
                Target target = same.map(m -> new Target(m.name(), m.incarnation()))
                        .orElseGet(() -> selector.select(job.get().tags(), membership.members()).stream().findFirst()
                                .orElse(null));
                if (target == null) {
                    LOG.info("No member can take retry {} yet; waiting", retry.key());
                    return Optional.empty();
                }
                return Optional.of(new Command.PlanRetries(clock.instant(), List.of(new Command.RetryPlan(
                        retry.key(), retry.job(), retry.runId(), retry.node(), retry.attempt(), target))));
            }

            @Override
            public boolean settledBy(Reply reply) {
                // A plan without a target is refused and the record stays; any other verdict consumed it.
                return reply.ok();
            }
        };
    }

    /** A child's run after its parent's run: targets chosen now, committed with the plan that consumes the record. */
    private Work child(PendingChild child) {
        return new Work() {
            @Override
            public String key() {
                return child.key();
            }

            @Override
            public Optional<Command> command() {
                Job job = store.read(v -> v.job(child.job())).orElse(null);
                List<Target> targets = job == null ? List.of() : selector.select(job.tags(), membership.members());
                String reason = targets.isEmpty() && job != null ? "no alive member matches the job's tags "
                        + job.tags() : null;
                Instant now = clock.instant();
                return Optional.of(new Command.PlanRuns(now, List.of(new Command.PlannedRun(child.job(), 0, now,
                        null, Run.Trigger.CHILD, targets, reason, child.parentRunId(), child.key())), List.of()));
            }
        };
    }

    private Work delete(PendingDelete delete) {
        return new Work() {
            @Override
            public String key() {
                return delete.key();
            }

            @Override
            public Optional<Command> command() {
                return Optional.of(new Command.DeleteJob(clock.instant(), delete.job(), delete.key()));
            }
        };
    }

    /** At its instant, a queued run of a forbid job that is still queued (the run before it still open) is skipped. */
    private Work skip(String job, long runId) {
        String key = "skip/" + job + "/" + runId; // the queued run it skips, not a record in the store
        return new Work() {
            @Override
            public String key() {
                return key;
            }

            @Override
            public Optional<Command> command() {
                Optional<Run> run = store.read(v -> v.run(job, runId));
                if (run.isEmpty() || !run.get().isQueued()) {
                    scheduled.remove(key); // released in time, or gone
                    return Optional.empty();
                }
                return Optional.of(new Command.SkipQueuedRuns(clock.instant(), List.of(new Command.RunRef(job, runId))));
            }
        };
    }

    @Override
    public void close() {
        stop();
    }
}
