package dev.hibachi.agent.leader;

import dev.hibachi.store.command.Command;
import dev.hibachi.store.event.StoreEvent;
import dev.hibachi.store.event.StoreListener;
import dev.hibachi.store.model.Execution;
import dev.hibachi.store.model.Job;
import dev.hibachi.store.model.Run;
import dev.hibachi.store.raft.JobStateMachine;
import dev.hibachi.store.raft.StoreClient;
import dev.hibachi.store.rocks.Keys;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Flags, on the leader, attempts still running past their job's {@code expected_duration} (the SLA), while
 * they run: one timer per running attempt of such a job, and a {@code FlagOverdue} entry when it fires, so the
 * flag and its event (which notifications turn into alerts) are decided in the log, once.
 */
public final class OverdueWatch implements StoreListener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OverdueWatch.class);
    private static final Duration TRY_AGAIN = Duration.ofSeconds(1);

    private final JobStateMachine store;
    private final StoreClient client;
    private final Clock clock;
    private final ScheduledExecutorService timer;
    private final Map<String, ScheduledFuture<?>> watched = new ConcurrentHashMap<>();
    private volatile boolean active;

    public OverdueWatch(JobStateMachine store, StoreClient client, Clock clock, ScheduledExecutorService timer) {
        this.store = store;
        this.client = client;
        this.clock = clock;
        this.timer = timer;
    }

    /** Watches every attempt running now (this server just became the leader). */
    public void start() {
        active = true;
        for (Run run : store.read(v -> v.openRuns())) {
            for (Run.Slot slot : run.slots()) {
                if (slot.state() == Run.SlotState.RUNNING) {
                    store.read(v -> v.execution(Keys.execution(run.job(), run.runId(), slot.attempt(),
                            slot.target().node()))).ifPresent(this::watch);
                }
            }
        }
    }

    public void stop() {
        active = false;
        watched.values().forEach(f -> f.cancel(false));
        watched.clear();
    }

    @Override
    public void onEvent(StoreEvent event) {
        if (event instanceof StoreEvent.AttemptClosed c) {
            ScheduledFuture<?> f = watched.remove(c.execution().id() + "@" + c.execution().jobName());
            if (f != null) {
                f.cancel(false);
            }
        } else if (active && event instanceof StoreEvent.AttemptStarted s) {
            watch(s.execution());
        }
    }

    private void watch(Execution ex) {
        if (ex.finished() || Boolean.TRUE.equals(ex.overdue())) {
            return;
        }
        Duration expected = store.read(v -> v.job(ex.jobName())).flatMap(Job::expectedRunTime).orElse(null);
        if (expected == null) {
            return;
        }
        // The member's start time against this server's clock: a skew between them shifts the flag by as much.
        Instant due = ex.startedAt().plus(expected);
        long delay = Math.max(0, Duration.between(clock.instant(), due).toMillis());
        String key = ex.id() + "@" + ex.jobName();
        watched.put(key, timer.schedule(() -> flag(key, ex), delay, TimeUnit.MILLISECONDS));
    }

    private void flag(String key, Execution ex) {
        if (!active || !watched.containsKey(key)) {
            return;
        }
        var ref = new Command.AttemptRef(ex.jobName(), ex.group(), ex.attempt(), ex.nodeName());
        client.submit(new Command.FlagOverdue(clock.instant(), List.of(ref))).whenComplete((reply, error) -> {
            if (error == null && reply != null && reply.ok()) {
                watched.remove(key);
                LOG.info("{} of job {} is running longer than expected", ex.id(), ex.jobName());
            } else if (active && watched.containsKey(key)) {
                watched.put(key, timer.schedule(() -> flag(key, ex), TRY_AGAIN.toMillis(), TimeUnit.MILLISECONDS));
            }
        });
    }

    @Override
    public void close() {
        stop();
    }
}
