package dev.hibachi.agent.cluster;

import java.util.Collection;
import java.util.List;

/** The membership of a cluster of one: this agent, always alive. */
public final class SingleNodeMembership implements Membership {
    private final Member local;

    public SingleNodeMembership(Member local) {
        this.local = local;
    }

    @Override
    public Member local() {
        return local;
    }

    @Override
    public Collection<Member> members() {
        return List.of(local);
    }

    @Override
    public void addListener(MembershipListener listener) {
    }

    @Override
    public void removeListener(MembershipListener listener) {
    }
}
