package dev.hibachi.agent.leader;

import dev.hibachi.agent.cluster.Member;
import dev.hibachi.agent.cluster.Membership;
import dev.hibachi.agent.dispatch.TargetSelector;
import dev.hibachi.store.command.Command;
import dev.hibachi.store.event.StoreEvent;
import dev.hibachi.store.event.StoreListener;
import dev.hibachi.store.model.Job;
import dev.hibachi.store.model.PendingRetry;
import dev.hibachi.store.model.Target;
import dev.hibachi.store.raft.JobStateMachine;
import dev.hibachi.store.raft.StoreClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Carries out derived work that the state machine recorded as pending (today: retries), on the leader.
 * A record is carried out by committing the entry that consumes it, so whichever server leads resumes
 * exactly the records still pending, and no record is carried out twice.
 */
public final class Outbox implements StoreListener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Outbox.class);
    private static final Duration RETRY_LATER = Duration.ofSeconds(1);

    private final JobStateMachine store;
    private final StoreClient client;
    private final Membership membership;
    private final TargetSelector selector;
    private final Clock clock;
    private final ScheduledExecutorService timer;
    private final Map<String, ScheduledFuture<?>> scheduled = new ConcurrentHashMap<>();
    private volatile boolean active;

    public Outbox(JobStateMachine store, StoreClient client, Membership membership, TargetSelector selector,
                  Clock clock, ScheduledExecutorService timer) {
        this.store = store;
        this.client = client;
        this.membership = membership;
        this.selector = selector;
        this.clock = clock;
        this.timer = timer;
    }

    public void start() {
        active = true;
        store.read(v -> v.pendingRetries()).forEach(this::schedule);
    }

    public void stop() {
        active = false;
        scheduled.values().forEach(f -> f.cancel(false));
        scheduled.clear();
    }

    @Override
    public void onEvent(StoreEvent event) {
        if (active && event instanceof StoreEvent.RetryPending p) {
            schedule(p.retry());
        } else if (event instanceof StoreEvent.PendingCompleted c) {
            ScheduledFuture<?> f = scheduled.remove(c.key());
            if (f != null) {
                f.cancel(false);
            }
        }
    }

    private void schedule(PendingRetry retry) {
        long delay = Math.max(0, Duration.between(clock.instant(), retry.notBefore()).toMillis());
        scheduled.put(retry.key(), timer.schedule(() -> carryOut(retry), delay, TimeUnit.MILLISECONDS));
    }

    private void carryOut(PendingRetry retry) {
        if (!active) {
            return;
        }
        Optional<Job> job = store.read(v -> v.job(retry.job()));
        if (job.isEmpty()) {
            scheduled.remove(retry.key());
            return;
        }
        Target target = targetFor(retry, job.get());
        if (target == null) {
            LOG.info("No member can take retry {} yet; waiting", retry.key());
            scheduled.put(retry.key(), timer.schedule(() -> carryOut(retry), RETRY_LATER.toMillis(),
                    TimeUnit.MILLISECONDS));
            return;
        }
        var plan = new Command.RetryPlan(retry.key(), retry.job(), retry.runId(), retry.node(), retry.attempt(), target);
        client.submit(new Command.PlanRetries(clock.instant(), List.of(plan))).whenComplete((reply, error) -> {
            if (error != null || reply == null || !reply.ok()) {
                if (active) {
                    scheduled.put(retry.key(), timer.schedule(() -> carryOut(retry), RETRY_LATER.toMillis(),
                            TimeUnit.MILLISECONDS));
                }
            } else {
                scheduled.remove(retry.key());
            }
        });
    }

    /** The same member if it is alive (in whatever incarnation), else another member that matches the job. */
    private Target targetFor(PendingRetry retry, Job job) {
        Optional<Member> same = membership.member(retry.node()).filter(Member::alive);
        if (same.isPresent()) {
            return new Target(same.get().name(), same.get().incarnation());
        }
        List<Target> others = selector.select(job.tags(), membership.members());
        return others.isEmpty() ? null : others.get(0);
    }

    @Override
    public void close() {
        stop();
    }
}
