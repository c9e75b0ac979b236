package dev.hibachi.e2e;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which agents a local cluster has: their names, which are servers, and their tags; and the {@code --encrypt} key
 * they all share, if their gossip is encrypted.
 */
public record Topology(String name, List<Member> members, Optional<String> encrypt) {
    public record Member(String name, boolean server, Map<String, String> tags) {
        public Member {
            tags = Map.copyOf(tags);
        }
    }

    public Topology {
        members = List.copyOf(members);
    }

    /** Agents whose gossip is in clear. */
    public Topology(String name, List<Member> members) {
        this(name, members, Optional.empty());
    }

    /**
     * One {@code --server --bootstrap-expect 1} agent: what this build runs today. It carries {@code site=local}
     * like every agent of the cluster below, so the same {@code site:local:1} jobs run on either.
     */
    public static Topology singleServer() {
        return new Topology("single-server", List.of(new Member("solo", true, Map.of("site", "local"))));
    }

    /**
     * The cluster: servers s1..s3 and the clients w1 ({@code role=web}) and b1 ({@code role=batch},
     * {@code zone=a}). Every agent also carries {@code site=local}, and both clients {@code pool=workers}, so
     * that {@code site:local:1} and {@code pool:workers:1} jobs have several members to choose from.
     */
    public static Topology threeServersTwoClients() {
        Map<String, String> server = Map.of("site", "local");
        return new Topology("3-servers-2-clients", List.of(
                new Member("s1", true, server),
                new Member("s2", true, server),
                new Member("s3", true, server),
                new Member("w1", false, Map.of("role", "web", "site", "local", "pool", "workers")),
                new Member("b1", false, Map.of("role", "batch", "zone", "a", "site", "local", "pool", "workers"))));
    }

    /**
     * A server and a client ({@code role=sealed}) whose gossip is encrypted with {@code key}; small, so that it can
     * run before the shared cluster starts rather than beside it.
     */
    public static Topology sealedServerAndClient(String key) {
        return new Topology("sealed-server-and-client", List.of(
                new Member("sealed-s1", true, Map.of()),
                new Member("sealed-c1", false, Map.of("role", "sealed"))), Optional.of(key));
    }

    public long servers() {
        return members.stream().filter(Member::server).count();
    }

    /** More than one agent: they must find each other (gossip, {@code --join}) and form one Raft group. */
    public boolean clustered() {
        return members.size() > 1;
    }
}
