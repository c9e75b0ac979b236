package dev.hibachi.agent.dispatch;

import java.util.List;

/** A member's answer to a {@link RunOrder}: where each attempt stands on that member. */
public record RunAck(String node, String incarnation, List<Entry> entries) {

    public enum State { ACCEPTED, RUNNING, FINISHED, REFUSED }

    public record Entry(String key, State state, String reason) {
    }
}
