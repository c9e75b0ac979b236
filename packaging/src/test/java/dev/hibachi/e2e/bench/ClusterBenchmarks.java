package dev.hibachi.e2e.bench;

import dev.hibachi.api.bench.Figures;
import dev.hibachi.e2e.Distribution;
import dev.hibachi.e2e.Topology;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The cluster benchmarks of issue 3, run on demand (never by failsafe: no class here ends in {@code IT}):
 * {@code -Dbench=all|failover|lateness}. They start the built distribution as separate agent processes
 * (heap {@code bench.agentOpts}, default {@code -Xmx256m} each), so this JVM only drives and measures.
 * {@code -Dbench.opts="k=v k=v"} sets more properties (Maven's exec plugin passes only the ones it names).
 * This is what {@code ./mvnw -Pcluster-bench -pl packaging -am verify -DskipTests -Dbench=...} runs.
 *
 * <p>Exits non-zero only when a benchmark could not run, never because a goal was missed.
 */
public final class ClusterBenchmarks {
    private ClusterBenchmarks() {
    }

    public static void main(String[] args) {
        for (String opt : Figures.property("bench.opts", "").split("\\s+")) {
            int eq = opt.indexOf('=');
            if (eq > 0) {
                System.setProperty(opt.substring(0, eq), opt.substring(eq + 1));
            }
        }
        List<String> chosen = new ArrayList<>();
        for (String b : Figures.property("bench", "all").toLowerCase(Locale.ROOT).split(",")) {
            switch (b.trim()) {
                case "all" -> chosen.addAll(List.of("failover", "lateness"));
                case "failover", "lateness" -> chosen.add(b.trim());
                case "" -> { }
                default -> {
                    System.err.println("unknown benchmark \"" + b + "\"; choose from all, failover, lateness");
                    System.exit(2);
                }
            }
        }
        String agentOpts = Figures.property("bench.agentOpts", "-Xmx256m");
        int seconds = Figures.intProperty("bench.seconds", 60);
        Topology topology = "single".equals(Figures.property("bench.topology", "cluster"))
                ? Topology.singleServer() : Topology.threeServersTwoClients();
        int status = 0;
        for (String name : chosen) {
            String title = name.equals("failover") ? "FailoverBenchmark" : "LatenessBenchmark";
            Figures.header(title);
            try {
                if (name.equals("failover")) {
                    FailoverBenchmark.run(agentOpts);
                } else {
                    LatenessBenchmark.run(topology, agentOpts, seconds);
                }
            } catch (Exception | AssertionError e) {
                System.out.flush();
                System.err.println(title + " ERROR: " + e);
                e.printStackTrace();
                status = 1;
            }
            Figures.footer(title);
        }
        System.out.flush();
        System.exit(status);
    }
}
