package dev.hibachi.agent.leader;

import dev.hibachi.agent.dispatch.Dispatcher;
import dev.hibachi.agent.schedule.Scheduler;
import dev.hibachi.store.raft.LeadershipListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The work only the Raft leader does, started and stopped as leadership comes and goes. On gaining
 * leadership it first resumes what the log left open (attempts to send, pending records, lost attempts),
 * then starts scheduling new instants.
 */
public final class LeaderRole implements LeadershipListener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LeaderRole.class);

    private final Dispatcher dispatcher;
    private final Outbox outbox;
    private final LostAttemptSweeper sweeper;
    private final Scheduler scheduler;
    private final ServerAdmission admission;
    private final OverdueWatch overdue;
    private final ExecutorService transitions = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "leader-role");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean leading;

    public LeaderRole(Dispatcher dispatcher, Outbox outbox, LostAttemptSweeper sweeper, OverdueWatch overdue,
                      Scheduler scheduler, ServerAdmission admission) {
        this.admission = admission;
        this.overdue = overdue;
        this.dispatcher = dispatcher;
        this.outbox = outbox;
        this.sweeper = sweeper;
        this.scheduler = scheduler;
    }

    @Override
    public void leaderReady(long term) {
        submit(() -> {
            LOG.info("Leading in term {}: resuming open work, then scheduling", term);
            leading = true;
            dispatcher.start(term);
            outbox.start();
            sweeper.start();
            overdue.start();
            scheduler.start();
            admission.start();
        });
    }

    @Override
    public void leadershipLost() {
        submit(() -> {
            if (!leading) {
                return;
            }
            LOG.info("No longer the leader: scheduling stopped");
            leading = false;
            admission.stop();
            scheduler.stop();
            overdue.stop();
            sweeper.stop();
            outbox.stop();
            dispatcher.stop();
        });
    }

    /**
     * Stops deciding new work (scheduling and retries) but keeps delivering what is decided: the first step
     * of a graceful stop.
     */
    public void quiesce() {
        scheduler.stop();
        outbox.stop();
    }

    public boolean leading() {
        return leading;
    }

    private void submit(Runnable transition) {
        try {
            transitions.execute(transition);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // Closed: Ratis reports the end of leadership while it shuts down; there is nothing left to stop.
        }
    }

    @Override
    public void close() {
        leadershipLost();
        transitions.shutdown();
    }
}
