package dev.hibachi.agent.metrics;

import dev.hibachi.store.event.StoreEvent;
import dev.hibachi.store.event.StoreListener;
import dev.hibachi.store.model.Execution;
import dev.hibachi.store.raft.LeadershipListener;

/**
 * Counts what the store records for the whole cluster (runs missed, skipped, killed) and leadership gained. Every
 * replica applies every entry, so only the leader counts: the cluster's sum over its servers is then each event
 * once (an entry applied just as leadership moves may be counted by neither or both; the store's
 * {@code missed_count}/{@code skipped_count} stay the exact figures).
 */
public final class LeaderTally implements StoreListener, LeadershipListener {
    private final Metrics metrics;
    private volatile boolean leading;

    public LeaderTally(Metrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void leaderReady(long term) {
        leading = true;
        metrics.leaderChanged();
    }

    @Override
    public void leadershipLost() {
        leading = false;
    }

    @Override
    public void onEvent(StoreEvent event) {
        if (!leading) {
            return;
        }
        if (event instanceof StoreEvent.RunsMissed m) {
            metrics.runsMissed(m.job(), m.count(), m.kind());
        } else if (event instanceof StoreEvent.AttemptClosed c && Execution.KILLED.equals(c.execution().status())) {
            metrics.runKilled(c.execution().jobName());
        }
    }
}
