package dev.hibachi.e2e;

import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Parent and child jobs and retries on the five-agent cluster, where Dkron fires a child once per parent
 * execution (so twice or more for a parent on several members) and loses work across a leader change: a
 * child runs once per parent run, and a chain or a retry sequence carries on under a new leader.
 */
@Order(6)
class JobChainsIT {
    @RegisterExtension
    static final ClusterExtension CLUSTER = ClusterExtension.shared(Topology.threeServersTwoClients());

    private static List<Execution> finished(HibachiApi api, String job) {
        return api.executions(job).stream().filter(Execution::finished).toList();
    }

    @Test
    void aChildOfAParentThatRunsOnThreeMembersRunsOncePerParentRun() {
        LocalCluster cluster = CLUSTER.cluster();
        HibachiApi api = cluster.api();
        List<String> jobs = List.of("fan-child", "fan-parent");
        try {
            api.putJob("""
                    {"name":"fan-parent","schedule":"@manually","tags":{"site":"local:3"},"executor":"shell",
                     "executor_config":{"command":"true"}}""");
            api.putJob("""
                    {"name":"fan-child","parent_job":"fan-parent","tags":{"site":"local:1"},"executor":"shell",
                     "executor_config":{"command":"echo child"}}""");
            for (int run = 1; run <= 3; run++) {
                long group = api.runNow("fan-parent");
                await("parent run " + group + " on three members").atMost(Duration.ofSeconds(30)).until(() ->
                        finished(api, "fan-parent").stream().filter(e -> e.group() == group && e.success()).count() == 3);
                int expected = run;
                await("child run after parent run " + group).atMost(Duration.ofSeconds(30))
                        .until(() -> finished(api, "fan-child").size() == expected);
            }
            await("no second child run for any parent run").during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5))
                    .until(() -> api.executions("fan-child").size() == 3);
            List<Execution> parent = api.executions("fan-parent");
            assertThat(parent.stream().map(Execution::group).collect(Collectors.toSet())).hasSize(3);
            for (long group : parent.stream().map(Execution::group).collect(Collectors.toSet())) {
                assertThat(parent.stream().filter(e -> e.group() == group).map(Execution::node).collect(Collectors.toSet()))
                        .as("members of parent run %d", group).hasSize(3);
            }
            List<Execution> child = api.executions("fan-child");
            assertThat(child).allSatisfy(e -> {
                assertThat(e.success()).isTrue();
                assertThat(e.attempt()).isEqualTo(1);
                assertThat(e.output()).isEqualTo("child\n");
            });
            assertThat(child.stream().map(Execution::group).collect(Collectors.toSet())).hasSize(3);
        } finally {
            cluster.deleteJobsQuietly(jobs);
        }
    }

    @Test
    void aChainCarriesOnWhenTheLeaderIsKilledHalfwayDown() {
        LocalCluster cluster = CLUSTER.cluster();
        HibachiApi api = cluster.api();
        List<String> jobs = List.of("chain-3", "chain-2", "chain-1");
        try {
            // On the clients only (pool=workers), so the killed leader runs none of the chain.
            api.putJob("""
                    {"name":"chain-1","schedule":"@manually","tags":{"pool":"workers:1"},"executor":"shell",
                     "executor_config":{"command":"true"}}""");
            api.putJob("""
                    {"name":"chain-2","parent_job":"chain-1","tags":{"pool":"workers:1"},"executor":"shell",
                     "executor_config":{"command":"sleep 4"}}""");
            api.putJob("""
                    {"name":"chain-3","parent_job":"chain-2","tags":{"pool":"workers:1"},"executor":"shell",
                     "executor_config":{"command":"echo end of chain"}}""");
            api.runNow("chain-1");
            await("chain-2 running").atMost(Duration.ofSeconds(30)).until(() ->
                    api.executions("chain-2").stream().anyMatch(e -> e.started() && !e.finished()));

            AgentProcess old = cluster.leader();
            old.kill();

            await("chain-3 ran under the next leader").atMost(Duration.ofSeconds(60)).ignoreExceptions()
                    .until(() -> finished(api, "chain-3").size() == 1);
            await("each link ran once").during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).ignoreExceptions()
                    .until(() -> api.executions("chain-1").size() == 1 && api.executions("chain-2").size() == 1
                            && api.executions("chain-3").size() == 1);
            await("another server leads").atMost(Duration.ofSeconds(30)).ignoreExceptions()
                    .until(() -> !api.leaderName().equals(old.name()));
            Execution end = api.executions("chain-3").get(0);
            assertThat(end.success()).as(end.toString()).isTrue();
            assertThat(end.output()).isEqualTo("end of chain\n");
            assertThat(api.executions("chain-2").get(0).success()).isTrue();
        } finally {
            cluster.deleteJobsQuietly(jobs);
        }
    }

    @Test
    void aRetrySequenceCarriesOnWhenTheLeaderIsKilledBetweenAttempts() {
        LocalCluster cluster = CLUSTER.cluster();
        HibachiApi api = cluster.api();
        try {
            api.putJob("""
                    {"name":"retry-chain","schedule":"@manually","retries":3,"tags":{"pool":"workers:1"},
                     "retry_backoff":{"initial":"4s","multiplier":1},"executor":"shell",
                     "executor_config":{"command":"echo attempt; exit 3","shell":"true"}}""");
            long group = api.runNow("retry-chain");
            await("attempt 1 failed").atMost(Duration.ofSeconds(30)).until(() -> finished(api, "retry-chain").size() == 1);

            AgentProcess old = cluster.leader();
            old.kill(); // the next attempt is a pending record, waiting out its 4 s backoff

            await("all four attempts").atMost(Duration.ofSeconds(90)).ignoreExceptions()
                    .until(() -> finished(api, "retry-chain").size() == 4);
            await("no fifth attempt").during(Duration.ofSeconds(6)).atMost(Duration.ofSeconds(8)).ignoreExceptions()
                    .until(() -> api.executions("retry-chain").size() == 4);
            List<Execution> attempts = api.executions("retry-chain");
            assertThat(attempts).extracting(Execution::attempt).containsExactlyInAnyOrder(1, 2, 3, 4);
            assertThat(attempts).allSatisfy(e -> {
                assertThat(e.group()).isEqualTo(group);
                assertThat(e.success()).isFalse();
            });
            Set<String> nodes = attempts.stream().map(Execution::node).collect(Collectors.toSet());
            assertThat(nodes).as("retries stay on the member while it lives").hasSize(1);
            assertThat(api.job("retry-chain").path("error_count").asLong()).isEqualTo(4);
        } finally {
            cluster.deleteJobsQuietly(List.of("retry-chain"));
        }
    }
}
