package dev.hibachi.agent.cluster;

import java.util.Collection;
import java.util.Optional;

/**
 * Who is in the cluster. A read-only view; how members find each other (gossip, or a fixed single node)
 * is the implementation's business.
 */
public interface Membership {

    Member local();

    /** Every known member, including those that failed or left and are not yet reaped. */
    Collection<Member> members();

    default Optional<Member> member(String name) {
        return members().stream().filter(m -> m.name().equals(name)).findFirst();
    }

    /** True if {@code name} is alive with exactly this incarnation. */
    default boolean isAlive(String name, String incarnation) {
        return member(name).map(m -> m.alive() && m.incarnation().equals(incarnation)).orElse(false);
    }

    void addListener(MembershipListener listener);

    void removeListener(MembershipListener listener);
}
