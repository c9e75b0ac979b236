package dev.hibachi.agent.leader;

import dev.hibachi.agent.cluster.Membership;
import dev.hibachi.store.command.Command;
import dev.hibachi.store.model.Run;
import dev.hibachi.store.raft.JobStateMachine;
import dev.hibachi.store.raft.StoreClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Closes attempts whose member is gone, on the leader: an open attempt whose target incarnation has been
 * out of the membership view for {@code grace} is committed as lost ({@code member lost}), which fails it
 * and lets its retries run. Nothing stays "running" after its member is gone.
 */
public final class LostAttemptSweeper implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LostAttemptSweeper.class);

    private final JobStateMachine store;
    private final StoreClient client;
    private final Membership membership;
    private final Clock clock;
    private final Duration grace;
    private final ScheduledExecutorService timer;
    private final Map<String, Instant> missingSince = new HashMap<>();
    private ScheduledFuture<?> task;

    public LostAttemptSweeper(JobStateMachine store, StoreClient client, Membership membership, Clock clock,
                              Duration grace, ScheduledExecutorService timer) {
        this.store = store;
        this.client = client;
        this.membership = membership;
        this.clock = clock;
        this.grace = grace;
        this.timer = timer;
    }

    public synchronized void start() {
        missingSince.clear();
        if (task == null) {
            task = timer.scheduleWithFixedDelay(this::sweep, 1, 1, TimeUnit.SECONDS);
        }
    }

    public synchronized void stop() {
        if (task != null) {
            task.cancel(false);
            task = null;
        }
        missingSince.clear();
    }

    synchronized void sweep() {
        try {
            Instant now = clock.instant();
            List<Command.AttemptRef> lost = new ArrayList<>();
            Set<String> seen = new HashSet<>();
            for (Run run : store.read(v -> v.openRuns())) {
                for (Run.Slot slot : run.slots()) {
                    if (!slot.open()) {
                        continue;
                    }
                    String node = slot.target().node();
                    String key = run.job() + "/" + run.runId() + "/" + slot.attempt() + "/" + node;
                    if (membership.isAlive(node, slot.target().incarnation())) {
                        continue;
                    }
                    seen.add(key);
                    Instant since = missingSince.computeIfAbsent(key, k -> now);
                    if (!since.plus(grace).isAfter(now)) {
                        lost.add(new Command.AttemptRef(run.job(), run.runId(), slot.attempt(), node));
                    }
                }
            }
            missingSince.keySet().retainAll(seen);
            if (!lost.isEmpty()) {
                LOG.warn("Closing {} attempt(s) whose member has been gone for {} s", lost.size(), grace.toSeconds());
                client.submit(new Command.LoseAttempts(now, lost, "its member left the cluster (gone for "
                        + grace.toSeconds() + " s)"));
            }
        } catch (RuntimeException e) {
            LOG.error("Lost-attempt sweep failed", e);
        }
    }

    @Override
    public void close() {
        stop();
    }
}
