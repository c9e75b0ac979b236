package dev.hibachi.e2e;

import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.Map;

/**
 * SIGTERM to all five agents at once, then all started again on their data dirs: every agent, clients
 * included, still lists all jobs and their execution history, and the jobs keep running. Last of the cluster
 * classes: it is the most disruptive.
 */
@Order(5)
class ClusterRestartIT {
    @RegisterExtension
    static final ClusterExtension CLUSTER = ClusterExtension.shared(Topology.threeServersTwoClients());

    @Test
    void stopAndRestartOfTheWholeClusterKeepsJobsAndHistory() {
        RestartScenario.run(CLUSTER.cluster(), "restart",
                List.of(Map.of(), Map.of("role", "web"), Map.of("site", "local:1"), Map.of("role", "batch", "zone", "a")));
    }
}
