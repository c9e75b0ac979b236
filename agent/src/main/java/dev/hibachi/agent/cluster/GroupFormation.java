package dev.hibachi.agent.cluster;

import dev.hibachi.store.raft.StoreClient;
import dev.hibachi.store.raft.StoreServerConfig;
import dev.hibachi.store.raft.StoreUnavailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Decides which peers a server with no Raft state yet starts its store with (Consul's and Dkron's
 * {@code --bootstrap-expect}): it waits until it sees that many alive servers, then asks them whether a group
 * exists already.
 *
 * <p>With {@code expect} 0 (Dkron's default) a server never forms a group: it starts with no peers and waits
 * for a leader to add it.
 *
 * <ul>
 *   <li>A group exists and lists this server: start with that configuration (a bootstrap that another server
 *       began a moment earlier, from the same view).
 *   <li>A group exists without this server: start with no peers; the leader adds it ({@code ServerAdmission}).
 *   <li>No group anywhere: start one with the first {@code expect} alive servers by name. Every server of a
 *       bootstrap sees the same servers, so all of them pick the same configuration.
 * </ul>
 */
public final class GroupFormation {
    private static final Logger LOG = LoggerFactory.getLogger(GroupFormation.class);

    private final Membership membership;
    private final int expect;

    public GroupFormation(Membership membership, int expect) {
        this.membership = membership;
        this.expect = expect;
    }

    /**
     * Blocks until the peers are decided, or {@code stopped} says to give up (then returns no peers).
     *
     * @return the initial voters; empty to wait to be added by the leader
     */
    public List<StoreServerConfig.Peer> initialPeers(BooleanSupplier stopped) throws InterruptedException {
        String self = membership.local().name();
        if (expect == 0) {
            LOG.info("Waiting for the store group's leader to add this server (no --bootstrap-expect: this server"
                    + " never forms a group; use --bootstrap-expect 1 for a cluster of one)");
            return List.of();
        }
        long nextLog = 0;
        long nextProbe = 0;
        List<Member> probed = List.of();
        while (!stopped.getAsBoolean()) {
            List<Member> servers = aliveServers();
            List<Member> others = servers.stream().filter(m -> !m.name().equals(self)).toList();
            // Each probe builds a Ratis client: ask again when other servers appear, else once a second.
            if (!others.isEmpty() && (!others.equals(probed) || System.nanoTime() - nextProbe >= 0)) {
                probed = others;
                nextProbe = System.nanoTime() + Duration.ofSeconds(1).toNanos();
                List<StoreClient.RaftPeerInfo> existing = existingGroup(others);
                if (!existing.isEmpty()) {
                    if (existing.stream().anyMatch(p -> p.id().equals(self))) {
                        LOG.info("Joining the store group being formed: {}", existing);
                        return existing.stream().map(p -> new StoreServerConfig.Peer(p.id(), p.address())).toList();
                    }
                    LOG.info("A store group exists ({}); waiting for its leader to add this server", existing);
                    return List.of();
                }
            }
            if (servers.size() >= expect) {
                List<StoreServerConfig.Peer> peers = servers.stream().limit(expect)
                        .map(Member::raftPeer).toList();
                if (peers.stream().anyMatch(p -> p.id().equals(self))) {
                    LOG.info("Forming the store group with {} server(s): {}", expect, peers);
                    return peers;
                }
                LOG.info("{} servers form the store group without this one; waiting to be added", expect);
                return List.of();
            }
            if (System.nanoTime() - nextLog >= 0) {
                LOG.info("Waiting for {} server(s) to form the store group; {} seen: {}", expect, servers.size(),
                        servers.stream().map(Member::name).toList());
                nextLog = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            }
            Thread.sleep(100);
        }
        return List.of();
    }

    private List<Member> aliveServers() {
        return membership.members().stream().filter(m -> m.server() && m.alive())
                .sorted(Comparator.comparing(Member::name)).toList();
    }

    /** The voters of the group as one of {@code others} knows them; empty when none has a group. */
    private static List<StoreClient.RaftPeerInfo> existingGroup(List<Member> others) {
        List<StoreServerConfig.Peer> peers = others.stream().map(Member::raftPeer).toList();
        try (StoreClient probe = new StoreClient(peers, 1, Duration.ofMillis(100))) {
            return probe.raftPeers();
        } catch (StoreUnavailableException e) {
            return List.of(); // not started yet, or no group: nobody answered
        } catch (java.io.IOException e) {
            return List.of();
        }
    }
}
