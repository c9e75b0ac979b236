package dev.hibachi.agent.cluster;

/** Receives membership events; must not block. */
@FunctionalInterface
public interface MembershipListener {
    void onEvent(MembershipEvent event);
}
