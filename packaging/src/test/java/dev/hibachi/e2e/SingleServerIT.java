package dev.hibachi.e2e;

import dev.hibachi.api.ledger.RunLedger;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The distribution as one {@code --server --bootstrap-expect 1} agent process: it runs jobs, survives
 * kill -9 without losing or doubling an instant (and without leaving a job's process behind), and keeps
 * everything across a SIGTERM and restart.
 */
@Order(1)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class) // the kill last: if the agent cannot come back, only it fails
class SingleServerIT {
    @RegisterExtension
    static final ClusterExtension SOLO = ClusterExtension.perClass(Topology.singleServer());

    @Test
    @Order(1)
    void runsAShellJobAndNamesItsNodeOnTheExecutions() {
        LocalCluster cluster = SOLO.cluster();
        HibachiApi api = cluster.api();
        api.putJob(JobJson.shell("solo-hello", "@every 1s", "echo hello from e2e", Map.of()));
        try {
            await().atMost(Duration.ofSeconds(20)).until(() ->
                    api.executions("solo-hello").stream().filter(Execution::finished).count() >= 2);
            assertThat(api.executions("solo-hello")).filteredOn(Execution::finished).allSatisfy(e -> {
                assertThat(e.node()).isEqualTo("solo");
                assertThat(e.success()).as("%s", e).isTrue();
                assertThat(e.output()).contains("hello from e2e");
            });
        } finally {
            cluster.deleteJobsQuietly(List.of("solo-hello"));
        }
    }

    @Test
    @Order(3)
    void killNineAndRestartLoseNoInstantAndLeaveNoJobProcessBehind() {
        LocalCluster cluster = SOLO.cluster();
        AgentProcess solo = cluster.agent("solo");
        HibachiApi api = solo.api();
        JobFleet fleet = JobFleet.create(api, "solo-kill", 20, "@every 1s", "true", Map.of());
        String sleeper = "solo-kill-sleeper";
        String sleep = "sleep 30.4242"; // an odd length, to find this job's process among the machine's
        api.putJob(JobJson.shell(sleeper, "@manually", sleep, Map.of()));
        try {
            long runId = api.runNow(sleeper);
            await("the sleeper runs").atMost(Duration.ofSeconds(20)).until(() -> api.executions(sleeper).stream()
                    .anyMatch(e -> e.group() == runId && e.started() && !e.finished()));
            await("two runs of each job").atMost(Duration.ofSeconds(20)).until(() -> fleet.names().stream()
                    .allMatch(j -> api.executions(j).stream().filter(Execution::finished).count() >= 2));
            assertThat(ProcessTable.withCommandLine(sleep)).as("the sleeper's process").isNotEmpty();

            solo.kill();
            await("the reaper kills the dead agent's job").atMost(Duration.ofSeconds(5))
                    .until(() -> ProcessTable.withCommandLine(sleep).isEmpty());
            solo.restart(LocalCluster.START_TIMEOUT);
            Instant restarted = Instant.now();

            await("each job runs again after the restart").atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() ->
                    fleet.names().stream().allMatch(j -> api.executions(j).stream()
                            .anyMatch(e -> e.finished() && e.scheduledAt().isAfter(restarted))));
            RunLedger.Report report = RunLedger.over(api.base()).withSettle(Duration.ofSeconds(20))
                    .check(fleet.names(), fleet.createdBy(), Instant.now()).assertClean();
            System.out.println("kill -9 of the only server, then restart: "
                    + report.toString().lines().limit(2).collect(java.util.stream.Collectors.joining(" ")));

            await("the run that the kill interrupted ends").atMost(Duration.ofSeconds(15)).ignoreExceptions().until(() ->
                    api.executions(sleeper).stream().anyMatch(e -> e.group() == runId && e.finished()));
            assertThat(api.executions(sleeper)).filteredOn(e -> e.group() == runId)
                    .allSatisfy(e -> assertThat(e.success()).as("%s", e).isFalse());
        } finally {
            List<String> all = new java.util.ArrayList<>(fleet.names());
            all.add(sleeper);
            cluster.deleteJobsQuietly(all);
        }
    }

    @Test
    @Order(2)
    void sigtermAndRestartKeepJobsAndHistory() {
        RestartScenario.run(SOLO.cluster(), "solo-restart", List.of(Map.of(), Map.of()));
    }
}
