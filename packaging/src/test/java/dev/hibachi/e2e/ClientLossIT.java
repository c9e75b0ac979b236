package dev.hibachi.e2e;

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
 * kill -9 of a client in the middle of a 30 s job: the leader closes the attempt as failed, {@code member
 * lost}, within 10 s (the kill is noticed in about 2 s, then the lost-grace of about 5 s), and the dead
 * agent's reaper does not let the job's process outlive it.
 */
@Order(3)
class ClientLossIT {
    @RegisterExtension
    static final ClusterExtension CLUSTER = ClusterExtension.shared(Topology.threeServersTwoClients());

    @Test
    void aRunOnAKilledClientEndsAsMemberLostWithinTenSeconds() {
        LocalCluster cluster = CLUSTER.cluster();
        AgentProcess w1 = cluster.agent("w1");
        HibachiApi api = cluster.agent("b1").api(); // not through the agent about to die
        String job = "loss-sleeper";
        String sleep = "sleep 30.3131"; // an odd length, to find this job's process among the machine's
        api.putJob(JobJson.shell(job, "@manually", sleep, Map.of("role", "web")));
        try {
            long runId = api.runNow(job);
            await("the run started on w1").atMost(Duration.ofSeconds(20)).until(() -> api.executions(job).stream()
                    .anyMatch(e -> e.group() == runId && e.node().equals("w1") && e.started() && !e.finished()));
            assertThat(ProcessTable.withCommandLine(sleep)).as("the job's process").isNotEmpty();

            w1.kill();
            Instant killed = Instant.now();
            await("the run ends as member lost").atMost(Duration.between(Instant.now(), killed.plusSeconds(10)))
                    .pollInterval(Duration.ofMillis(100)).until(() -> api.executions(job).stream()
                            .anyMatch(e -> e.group() == runId && e.finished()));
            Duration took = Duration.between(killed, Instant.now());
            List<Execution> run = api.executions(job).stream().filter(e -> e.group() == runId).toList();
            assertThat(run).hasSize(1).allSatisfy(e -> {
                assertThat(e.success()).as("%s", e).isFalse();
                assertThat(e.output()).as("%s", e).contains("member lost");
            });
            System.out.println("kill -9 of w1 to its run ending as member lost: " + took.toMillis() + " ms");
            assertThat(ProcessTable.withCommandLine(sleep)).as("the job's process after its agent's kill -9").isEmpty();
        } finally {
            cluster.deleteJobsQuietly(List.of(job));
        }
    }
}
