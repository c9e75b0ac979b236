package dev.hibachi.agent.cluster;

import dev.hibachi.store.raft.StoreServerConfig;

import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * An agent as the cluster sees it: its name, its incarnation (new at every start, so a restarted agent is
 * a different member to the runs addressed to its old self), its tags, and how to reach it. The gossip
 * address is the one other agents connect to (the advertised one), shown as Dkron's {@code Addr}/{@code Port}.
 * Its executors are the names it can run (built-in and plugins), so a job may name an executor that only some
 * members have.
 */
public record Member(
        String name,
        String incarnation,
        Map<String, String> tags,
        boolean server,
        String httpAddress,
        String raftAddress,
        String gossipHost,
        int gossipPort,
        Status status,
        Set<String> executors) {

    /** Serf's member states, with Serf's numbers (Dkron's {@code /v1/members} shows {@code Status} as one). */
    public enum Status {
        ALIVE(1), LEAVING(2), LEFT(3), FAILED(4);

        private final int serfCode;

        Status(int serfCode) {
            this.serfCode = serfCode;
        }

        public int serfCode() {
            return serfCode;
        }
    }

    public Member {
        tags = tags == null ? Map.of() : Map.copyOf(tags);
        executors = executors == null ? Set.of() : Collections.unmodifiableSet(new TreeSet<>(executors));
    }

    /** A member that announces no executors. */
    public Member(String name, String incarnation, Map<String, String> tags, boolean server, String httpAddress,
                  String raftAddress, String gossipHost, int gossipPort, Status status) {
        this(name, incarnation, tags, server, httpAddress, raftAddress, gossipHost, gossipPort, status, Set.of());
    }

    /**
     * The tags Dkron shows and matches a job's {@code tags} against: the agent's own, plus the reserved ones of
     * Dkron's that are true of it ({@code server=true}, its Raft {@code rpc_addr} and {@code port} for a server).
     * So a Dkron job aimed at {@code "server": "true:1"} runs on one server, as it does in Dkron. Dkron's
     * {@code role=dkron} is left out, so that {@code role} stays free for the agent's own tags.
     */
    public Map<String, String> dkronTags() {
        Map<String, String> all = new TreeMap<>(); // Go writes map keys sorted; so do we
        if (server) {
            all.put("server", "true");
            if (!raftAddress.isEmpty()) {
                all.put("rpc_addr", raftAddress);
                all.put("port", raftAddress.substring(raftAddress.lastIndexOf(':') + 1));
            }
        }
        all.putAll(tags);
        return all;
    }

    public boolean alive() {
        return status == Status.ALIVE;
    }

    /** Gone from the view: it failed or left, and waits to be reaped or to come back. */
    public boolean gone() {
        return status == Status.FAILED || status == Status.LEFT;
    }

    /** This server as a peer of the store's Raft group (its node name is its Raft id). */
    public StoreServerConfig.Peer raftPeer() {
        return new StoreServerConfig.Peer(name, raftAddress);
    }

    public Member withExecutors(Set<String> value) {
        return new Member(name, incarnation, tags, server, httpAddress, raftAddress, gossipHost, gossipPort, status,
                value);
    }

    public Member withStatus(Status value) {
        return new Member(name, incarnation, tags, server, httpAddress, raftAddress, gossipHost, gossipPort, value,
                executors);
    }
}
