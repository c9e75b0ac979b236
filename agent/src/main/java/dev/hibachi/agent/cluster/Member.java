package dev.hibachi.agent.cluster;

import java.util.Map;

/**
 * An agent as the cluster sees it: its name, its incarnation (new at every start, so a restarted agent is
 * a different member to the runs addressed to its old self), its tags, and how to reach it.
 */
public record Member(
        String name,
        String incarnation,
        Map<String, String> tags,
        boolean server,
        String httpAddress,
        String raftAddress,
        Status status) {

    public enum Status { ALIVE, LEAVING, LEFT, FAILED }

    public boolean alive() {
        return status == Status.ALIVE;
    }
}
