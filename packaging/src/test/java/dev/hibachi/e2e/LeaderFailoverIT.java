package dev.hibachi.e2e;

import dev.hibachi.api.ledger.RunLedger;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * kill -9 of the Raft leader while 50 jobs run every second, each on one member ({@code site:local:1}: any of
 * the five, the leader included, so some runs are caught on the dying leader): another server takes over,
 * the jobs keep running, and the run ledger shows no instant twice and none missing except those recorded
 * as missed.
 */
@Order(4)
class LeaderFailoverIT {
    @RegisterExtension
    static final ClusterExtension CLUSTER = ClusterExtension.shared(Topology.threeServersTwoClients());

    @Test
    void killNineOfTheLeaderLosesAndDoublesNoInstant() {
        LocalCluster cluster = CLUSTER.cluster();
        HibachiApi api = cluster.api(); // a client: it outlives the leader
        JobFleet fleet = JobFleet.create(api, "failover", 50, "@every 1s", "true", Map.of("site", "local:1"));
        try {
            await("two runs of each job").atMost(Duration.ofSeconds(30)).until(() -> fleet.names().stream()
                    .allMatch(j -> api.executions(j).stream().filter(Execution::finished).count() >= 2));

            AgentProcess old = cluster.leader();
            old.kill();
            Instant killed = Instant.now();

            await("another server leads").atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
                String leader = api.leaderName();
                return !leader.equals(old.name()) && cluster.agent(leader).api().isLeader();
            });
            String successor = api.leaderName();
            Instant taken = Instant.now();
            System.out.println("kill -9 of leader " + old.name() + ": " + successor + " leads after "
                    + Duration.between(killed, taken).toMillis() + " ms");

            await("every job runs again under " + successor).atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() ->
                    fleet.names().stream().allMatch(j -> api.executions(j).stream()
                            .anyMatch(e -> e.success() && e.scheduledAt().isAfter(taken))));
            RunLedger.Report report = RunLedger.over(api.base()).withSettle(Duration.ofSeconds(30))
                    .check(fleet.names(), fleet.createdBy(), Instant.now()).assertClean();
            System.out.println("kill -9 of the leader: "
                    + report.toString().lines().limit(2).collect(java.util.stream.Collectors.joining(" ")));
            assertThat(report.ran()).as("runs in the ledger").isNotEmpty();
        } finally {
            cluster.deleteJobsQuietly(fleet.names());
        }
    }
}
