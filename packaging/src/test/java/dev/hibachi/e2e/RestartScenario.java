package dev.hibachi.e2e;

import dev.hibachi.api.ledger.RunLedger;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Stop (SIGTERM) and restart of every agent of a cluster: all jobs and their execution history are still
 * there afterwards, on every agent; the jobs keep running; and the instants due while everything was down
 * ran late, once each (they are younger than the misfire grace), so the run ledger over the whole time is
 * clean.
 */
final class RestartScenario {
    private RestartScenario() {
    }

    /** One scheduled job per entry of {@code tagsPerJob}, plus one manual job run once. */
    static void run(LocalCluster cluster, String prefix, List<Map<String, String>> tagsPerJob) {
        HibachiApi api = cluster.api();
        List<String> scheduled = new ArrayList<>();
        for (int i = 0; i < tagsPerJob.size(); i++) {
            String name = prefix + "-" + i;
            // every 2 s: the history across the restart stays well inside the 100 executions a job keeps
            api.putJob(JobJson.shell(name, "@every 2s", "echo run of " + name, tagsPerJob.get(i)));
            scheduled.add(name);
        }
        String manual = prefix + "-manual";
        api.putJob(JobJson.shell(manual, "@manually", "echo manual run", Map.of()));
        Instant created = Instant.now();
        List<String> all = new ArrayList<>(scheduled);
        all.add(manual);
        try {
            long runId = api.runNow(manual);
            await("three finished runs of each job").atMost(Duration.ofSeconds(60)).until(() ->
                    scheduled.stream().allMatch(j -> finishedGroups(api, j) >= 3)
                            && api.executions(manual).stream().anyMatch(e -> e.group() == runId && e.finished()));
            HistorySnapshot before = HistorySnapshot.take(api, all);

            cluster.stopAll();
            cluster.startAll();
            Instant restarted = Instant.now();

            for (AgentProcess agent : cluster.agents()) {
                assertThat(agent.api().jobNames()).as("jobs on %s after the restart", agent.name()).containsAll(all);
                before.assertStillIn(agent);
            }
            HibachiApi after = cluster.api();
            await("each job runs again after the restart").atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() ->
                    scheduled.stream().allMatch(j -> after.executions(j).stream()
                            .anyMatch(e -> e.finished() && e.scheduledAt().isAfter(restarted))));
            RunLedger.over(after.base()).withSettle(Duration.ofSeconds(30))
                    .check(scheduled, created, Instant.now()).assertClean();
        } finally {
            cluster.deleteJobsQuietly(all);
        }
    }

    static long finishedGroups(HibachiApi api, String job) {
        return api.executions(job).stream().filter(Execution::finished).map(Execution::group).distinct().count();
    }
}
