package dev.hibachi.agent.cluster;

import java.time.Instant;

/** A change in the cluster's membership, as a value. */
public record MembershipEvent(Type type, Member member, Instant time) {
    public enum Type { MEMBER_ADDED, MEMBER_REMOVED, STATUS_CHANGED }
}
