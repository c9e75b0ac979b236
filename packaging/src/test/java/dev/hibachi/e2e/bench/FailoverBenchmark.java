package dev.hibachi.e2e.bench;

import dev.hibachi.api.bench.Figures;
import dev.hibachi.api.ledger.RunLedger;
import dev.hibachi.e2e.AgentProcess;
import dev.hibachi.e2e.Execution;
import dev.hibachi.e2e.HibachiApi;
import dev.hibachi.e2e.LocalCluster;
import dev.hibachi.e2e.Topology;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Issue 3, "Speed": failover. On the 3-server + 2-client loopback cluster, {@code bench.failover.jobs} (20)
 * {@code @every 1s} jobs with phases spread over the second run on either client ({@code pool:workers:1}, so
 * no run is addressed to the server about to die). Then, {@code bench.failover.kills} (10) times: kill -9 of
 * the leader, and the time from the kill to the first start of an instant after the kill (the first
 * execution whose {@code scheduled_at} is after the kill and whose {@code started_at} is set: the new
 * leader's first dispatch). The killed server is started again each time, so the cluster stays three servers.
 * Goal: p50 and max ≤ 2 s. Around each kill, the run ledger must show no lost or doubled instant.
 */
final class FailoverBenchmark {
    private static final double GOAL_MS = 2000;
    private static final Duration GIVE_UP = Duration.ofSeconds(60);

    private FailoverBenchmark() {
    }

    static void run(String agentOpts) throws Exception {
        int kills = Figures.intProperty("bench.failover.kills", 10);
        int jobs = Figures.intProperty("bench.failover.jobs", 20);
        Figures.note(kills + " kills of the leader; " + jobs + " jobs @every 1s on pool:workers:1 (w1 or b1);"
                + " agents JAVA_OPTS=" + agentOpts);
        try (LocalCluster cluster = LocalCluster.start(Topology.threeServersTwoClients(), agentOpts)) {
            HibachiApi api = cluster.agent("w1").api(); // a client: never the one killed
            List<String> names = SpreadJobs.create(api, "failover", jobs, "true", Map.of("pool", "workers:1"));
            double[] failover = new double[kills];
            double[] election = new double[kills];
            int clean = 0;
            for (int i = 0; i < kills; i++) {
                cluster.awaitFormed(LocalCluster.FORM_TIMEOUT);
                Instant steady = Instant.now();
                awaitEveryJobStartedAfter(api, names, steady); // dispatching normally before the kill

                AgentProcess old = cluster.leader();
                Instant killed = Instant.now();
                old.kill();
                Instant elected = awaitNewLeader(api, old.name());
                Instant first = awaitFirstStartAfter(api, names, killed);
                failover[i] = millis(killed, first);
                election[i] = millis(killed, elected);
                Figures.figure("kill " + (i + 1) + " of leader " + old.name() + ": first start after the kill",
                        failover[i], "ms");

                old.restart(LocalCluster.START_TIMEOUT);
                cluster.awaitFormed(LocalCluster.FORM_TIMEOUT);
                RunLedger.Report report = RunLedger.over(api.base()).withSettle(Duration.ofSeconds(30))
                        .check(names, steady, Instant.now());
                if (report.clean()) {
                    clean++;
                } else {
                    Figures.note("run ledger around kill " + (i + 1) + ":\n" + report);
                }
            }
            Figures.goalAtMost("failover p50 (kill -9 of the leader -> first start of an instant after it)",
                    Figures.percentile(failover, 50), "ms", GOAL_MS);
            Figures.goalAtMost("failover max", Figures.max(failover), "ms", GOAL_MS);
            Figures.figure("new leader named by /v1/leader after the kill p50", Figures.percentile(election, 50), "ms");
            Figures.figure("new leader named by /v1/leader after the kill max", Figures.max(election), "ms");
            Figures.goalTrue("run ledger around each kill", clean == kills, clean + " of " + kills + " clean",
                    "no lost or doubled instant");
        }
    }

    private static void awaitEveryJobStartedAfter(HibachiApi api, List<String> names, Instant after)
            throws InterruptedException {
        poll("every job to start a run scheduled after " + after, () -> names.stream().allMatch(j ->
                api.executions(j).stream().anyMatch(e -> e.started() && e.scheduledAt().isAfter(after)))
                ? Optional.of(true) : Optional.empty());
    }

    /** Polls {@code /v1/leader} on a client until it names another server; answers when it first did. */
    private static Instant awaitNewLeader(HibachiApi api, String old) throws InterruptedException {
        return poll("a leader other than " + old, () -> api.leaderName().equals(old)
                ? Optional.empty() : Optional.of(Instant.now()));
    }

    /** The earliest {@code started_at} of an execution scheduled after {@code killed}, once one exists. */
    private static Instant awaitFirstStartAfter(HibachiApi api, List<String> names, Instant killed)
            throws InterruptedException {
        poll("a run scheduled after the kill to start", () -> earliestStartAfter(api, names, killed));
        // Read every job once more: a job read before the first sighting may hold an even earlier start.
        return earliestStartAfter(api, names, killed).orElseThrow();
    }

    private static Optional<Instant> earliestStartAfter(HibachiApi api, List<String> names, Instant killed) {
        return names.stream().flatMap(j -> api.executions(j).stream())
                .filter(e -> e.started() && e.scheduledAt().isAfter(killed))
                .map(Execution::startedAt).min(Instant::compareTo);
    }

    private interface Probe<T> {
        Optional<T> probe();
    }

    /** Re-runs {@code probe} every 20 ms (an agent that cannot answer yet counts as "not yet") until it answers. */
    private static <T> T poll(String what, Probe<T> probe) throws InterruptedException {
        long deadline = System.nanoTime() + GIVE_UP.toNanos();
        RuntimeException last = null;
        while (System.nanoTime() < deadline) {
            try {
                Optional<T> v = probe.probe();
                if (v.isPresent()) {
                    return v.get();
                }
            } catch (RuntimeException | AssertionError e) {
                last = e instanceof RuntimeException r ? r : new IllegalStateException(e.getMessage());
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException("gave up waiting " + GIVE_UP.toSeconds() + " s for " + what, last);
    }

    private static double millis(Instant from, Instant to) {
        return Duration.between(from, to).toNanos() / 1e6;
    }
}
