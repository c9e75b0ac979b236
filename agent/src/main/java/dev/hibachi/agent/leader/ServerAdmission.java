package dev.hibachi.agent.leader;

import dev.hibachi.agent.cluster.Member;
import dev.hibachi.agent.cluster.Membership;
import dev.hibachi.agent.cluster.MembershipEvent;
import dev.hibachi.agent.cluster.MembershipListener;
import dev.hibachi.store.raft.StoreClient;
import dev.hibachi.store.raft.StoreUnavailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The leader's half of a server joining: every alive server agent that is not a voter of the store's Raft
 * group is added to it. Runs while this server leads, on membership changes and every few seconds (an
 * addition that failed is tried again). Nothing is ever removed here: a server that failed stays a voter
 * until {@code hibachi raft remove-peer} or its own {@code leave}, as in Dkron.
 */
public final class ServerAdmission implements MembershipListener {
    private static final Logger LOG = LoggerFactory.getLogger(ServerAdmission.class);
    private static final long RECHECK_SECONDS = 5;

    private final Membership membership;
    private final StoreClient client;
    private final ScheduledExecutorService timer;
    private volatile ScheduledFuture<?> recheck;

    public ServerAdmission(Membership membership, StoreClient client, ScheduledExecutorService timer) {
        this.membership = membership;
        this.client = client;
        this.timer = timer;
        membership.addListener(this);
    }

    public synchronized void start() {
        if (recheck == null) {
            recheck = timer.scheduleWithFixedDelay(this::admit, 0, RECHECK_SECONDS, TimeUnit.SECONDS);
        }
    }

    public synchronized void stop() {
        if (recheck != null) {
            recheck.cancel(false);
            recheck = null;
        }
    }

    @Override
    public void onEvent(MembershipEvent event) {
        if (recheck != null && event.member().server() && event.member().alive()) {
            timer.execute(this::admit);
        }
    }

    private void admit() {
        if (recheck == null) {
            return;
        }
        try {
            Set<String> voters = client.raftPeers().stream().map(StoreClient.RaftPeerInfo::id)
                    .collect(Collectors.toSet());
            for (Member m : membership.members()) {
                if (m.server() && m.alive() && !voters.contains(m.name())) {
                    LOG.info("Adding server {} ({}) to the store group", m.name(), m.raftAddress());
                    client.addRaftPeer(m.raftPeer());
                }
            }
        } catch (StoreUnavailableException e) {
            LOG.warn("Could not add servers to the store group (tried again in {} s): {}", RECHECK_SECONDS,
                    e.getMessage());
        } catch (RuntimeException e) {
            LOG.error("Admitting servers failed", e);
        }
    }
}
