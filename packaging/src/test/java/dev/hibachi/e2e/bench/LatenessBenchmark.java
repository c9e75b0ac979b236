package dev.hibachi.e2e.bench;

import dev.hibachi.api.bench.Figures;
import dev.hibachi.api.ledger.RunLedger;
import dev.hibachi.e2e.Execution;
import dev.hibachi.e2e.HibachiApi;
import dev.hibachi.e2e.LocalCluster;
import dev.hibachi.e2e.Topology;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Issue 3, "Speed": dispatch lateness on the 3-server + 2-client loopback cluster (five JVMs on this
 * machine's cores). {@code bench.lateness.jobs} (200) {@code @every 1s} jobs of {@code true}, phases spread
 * over the second, each run on one member picked by tag cardinality ({@code site:local:1}: any of the five).
 * After {@code bench.lateness.warmupSeconds} (5), for {@code bench.seconds} (60): lateness = {@code started_at
 * − scheduled_at} of each execution in the window, from the executions API. Goal: p99 ≤ 100 ms. The run ledger
 * over the window must be clean. {@code bench.topology=single} runs the same on one server, for comparison.
 */
final class LatenessBenchmark {
    private static final double GOAL_MS = 100;

    private LatenessBenchmark() {
    }

    static void run(Topology topology, String agentOpts, int seconds) throws Exception {
        int jobs = Figures.intProperty("bench.lateness.jobs", 200);
        int warmup = Figures.intProperty("bench.lateness.warmupSeconds", 5);
        Figures.note(jobs + " jobs @every 1s of true on site:local:1, topology " + topology.name() + ", window "
                + seconds + " s after " + warmup + " s of warm-up; agents JAVA_OPTS=" + agentOpts);
        try (LocalCluster cluster = LocalCluster.start(topology, agentOpts)) {
            HibachiApi api = cluster.api();
            List<String> names = SpreadJobs.create(api, "lateness", jobs, "true", Map.of("site", "local:1"));
            Thread.sleep(warmup * 1000L);
            Instant from = Instant.now();
            Thread.sleep(seconds * 1000L);
            Instant to = Instant.now();

            RunLedger.Report report = RunLedger.over(api.base()).withSettle(Duration.ofSeconds(15))
                    .check(names, from, to);
            List<Double> lateness = new ArrayList<>();
            Map<String, Integer> perNode = new TreeMap<>();
            int notStarted = 0;
            for (String job : names) {
                for (Execution e : api.executions(job)) {
                    if (e.scheduledAt() == null || e.scheduledAt().isBefore(from) || !e.scheduledAt().isBefore(to)) {
                        continue;
                    }
                    if (!e.started() || e.node().isEmpty()) {
                        notStarted++;
                        continue;
                    }
                    lateness.add(e.latenessNanos() / 1e6);
                    perNode.merge(e.node(), 1, Integer::sum);
                }
            }
            double[] ms = lateness.stream().mapToDouble(Double::doubleValue).toArray();
            Figures.figure("runs started in the window", ms.length, "runs");
            Figures.note("runs per member: " + perNode + (notStarted > 0 ? "; " + notStarted + " never started" : ""));
            Figures.figure("dispatch lateness (scheduled_at -> started_at) p50", Figures.percentile(ms, 50), "ms");
            Figures.figure("dispatch lateness p90", Figures.percentile(ms, 90), "ms");
            Figures.goalAtMost("dispatch lateness p99", Figures.percentile(ms, 99), "ms", GOAL_MS);
            Figures.figure("dispatch lateness max", Figures.max(ms), "ms");
            Figures.goalTrue("run ledger over the window", report.clean(), report.expected().size() + " instants, "
                    + report.lost().size() + " lost, " + report.duplicates().size() + " doubled, "
                    + report.missed().size() + " recorded missed", "clean");
            if (!report.clean()) {
                Figures.note(report.toString());
            }
        }
    }
}
