package dev.hibachi.e2e;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every agent process this JVM has started and not yet ended. A JVM shutdown hook kills what is left, so that
 * no agent JVM outlives the test run, even when a test fails or the run is interrupted.
 */
final class LiveAgents {
    private static final Set<AgentProcess> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(LiveAgents::killAll, "e2e-kill-agents"));
    }

    private LiveAgents() {
    }

    static void add(AgentProcess agent) {
        LIVE.add(agent);
    }

    static void remove(AgentProcess agent) {
        LIVE.remove(agent);
    }

    private static void killAll() {
        for (AgentProcess a : LIVE) {
            a.killWithChildren();
        }
    }
}
