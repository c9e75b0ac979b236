package dev.hibachi.api.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs the chosen benchmarks, each in a JVM of its own ({@code -Xmx1g} and the launcher's
 * {@code -XX:+UseSerialGC -Xss512k}, this JVM's class path), so one
 * benchmark's leftovers never weigh on the next one's heap figure. {@code -Dbench=all|post|load|scale|list|dashboard}
 * (a comma-separated list also works); every {@code bench.*} system property is passed on, and so is each
 * {@code key=value} of {@code -Dbench.opts="key=value ..."} (Maven's exec plugin passes only the properties the
 * profile names).
 * This is what {@code ./mvnw -Pbench -pl api verify -DskipTests -Dbench=...} runs.
 *
 * <p>Exits non-zero only if a benchmark failed with an error (not when a goal was missed).
 */
public final class Benchmarks {
    private static final Map<String, Class<?>> ALL = new LinkedHashMap<>();

    static {
        ALL.put("post", PostLatencyBenchmark.class);
        ALL.put("load", LoadBenchmark.class);
        ALL.put("scale", ScaleBenchmark.class);
        ALL.put("list", ListBenchmark.class);
        ALL.put("dashboard", DashboardBenchmark.class);
    }

    private Benchmarks() {
    }

    public static void main(String[] args) throws Exception {
        String chosen = Figures.property("bench", "all");
        List<String> names = new ArrayList<>();
        for (String n : chosen.split(",")) {
            n = n.trim().toLowerCase(java.util.Locale.ROOT);
            if (n.equals("all")) {
                names.addAll(ALL.keySet());
            } else if (ALL.containsKey(n)) {
                names.add(n);
            } else if (!n.isEmpty()) {
                System.err.println("unknown benchmark \"" + n + "\"; choose from all, " + String.join(", ",
                        ALL.keySet()));
                System.exit(2);
            }
        }
        String heap = Figures.property("bench.xmx", "1g");
        List<String> failed = new ArrayList<>();
        for (String name : names) {
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.add("-Xmx" + heap);
            // The JVM options of the packaged launcher (packaging/src/dist/bin/hibachi), so heap and latency
            // figures are the ones an installed agent shows.
            command.add("-XX:+UseSerialGC");
            command.add("-Xss512k");
            command.add("-Dlogback.statusListenerClass=ch.qos.logback.core.status.NopStatusListener");
            // Extra JVM options for diagnosis, e.g. -Dbench.jvm="-Xlog:gc:file=/tmp/gc.log".
            for (String opt : Figures.property("bench.jvm", "").split("\\s+")) {
                if (!opt.isBlank()) {
                    command.add(opt);
                }
            }
            System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith("bench."))
                    .sorted().forEach(k -> command.add("-D" + k + "=" + System.getProperty(k)));
            for (String opt : Figures.property("bench.opts", "").split("\\s+")) {
                if (opt.contains("=")) {
                    command.add("-D" + opt);
                }
            }
            command.add("-cp");
            command.add(System.getProperty("java.class.path"));
            command.add(ALL.get(name).getName());
            int status = new ProcessBuilder(command).inheritIO().start().waitFor();
            if (status != 0) {
                failed.add(name + " (exit " + status + ")");
            }
        }
        System.out.println();
        System.out.println(failed.isEmpty() ? "benchmarks ran: " + String.join(", ", names)
                : "benchmarks that failed with an error: " + String.join(", ", failed));
        System.exit(failed.isEmpty() ? 0 : 1);
    }
}
