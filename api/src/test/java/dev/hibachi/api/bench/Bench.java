package dev.hibachi.api.bench;

import ch.qos.logback.classic.Level;
import dev.hibachi.agent.Agent;
import dev.hibachi.agent.AgentConfig;
import dev.hibachi.agent.dispatch.DispatchObserver;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * What the benchmarks share: an in-process agent on free loopback ports, a plain HTTP client, percentiles, and
 * the output format. Every figure is printed as one plain line {@code name: value unit}, followed by
 * {@code (goal ...) PASS|MISS [load ...]} when it has a goal; the machine's 1-minute load average is printed
 * next to each goal, because other processes on this 2-core machine move every figure.
 *
 * <p>Benchmarks are run on demand ({@code -Pbench}), never by surefire: no class here matches surefire's
 * default includes ({@code *Test}, {@code Test*}, {@code *Tests}, {@code *TestCase}).
 */
final class Bench {
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();


    private Bench() {
    }

    /** What a benchmark's main runs: its figures go to stdout. */
    interface Body {
        void run() throws Exception;
    }

    /**
     * Runs a benchmark as a program: exits 0 when it ran (whether its goals passed or not), 1 on an error.
     * Exits explicitly, since Ratis and Netty may leave non-daemon threads behind.
     */
    static void main(String benchmark, Body body) {
        int status = 0;
        quietLogs();
        Figures.header(benchmark);
        try {
            body.run();
        } catch (Throwable t) {
            System.out.flush();
            System.err.println(benchmark + " ERROR: " + t);
            t.printStackTrace();
            status = 1;
        }
        Figures.footer(benchmark);
        System.out.flush();
        System.err.flush();
        System.exit(status);
    }

    // ------------------------------------------------------------------------------------------------- output

    /** Prints the lines of a latency distribution in milliseconds (p50/p90/p99/max). */
    static Stats latencies(String name, long[] nanos) {
        Stats s = Stats.of(nanos);
        Figures.figure(name + " p50", s.p50Ms(), "ms");
        Figures.figure(name + " p90", s.percentileMs(90), "ms");
        Figures.figure(name + " p99", s.p99Ms(), "ms");
        Figures.figure(name + " max", s.maxMs(), "ms");
        return s;
    }

    static int cores() {
        return Runtime.getRuntime().availableProcessors();
    }

    /** CPU time this JVM has used so far, in nanoseconds (-1 if unknown). */
    static long processCpuNanos() {
        var os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
            return sun.getProcessCpuTime();
        }
        return -1;
    }

    // ----------------------------------------------------------------------------------------- configuration

    static void setLevel(String logger, Level level) {
        if (LoggerFactory.getLogger(logger) instanceof ch.qos.logback.classic.Logger l) {
            l.setLevel(level);
        }
    }

    /** Keeps the agent's own logging to warnings, so the figures stay readable. */
    static void quietLogs() {
        java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);
        for (String name : new String[]{"dev.hibachi", "io.micronaut", "io.netty", "org.apache.ratis"}) {
            setLevel(name, Level.WARN);
        }
    }

    // ------------------------------------------------------------------------------------------------- agent

    /** A real single-node agent in this JVM (Ratis on gRPC, RocksDB, the HTTP API) on free loopback ports. */
    record Running(Agent agent, URI base, Path dataDir) implements AutoCloseable {
        @Override
        public void close() {
            // Closing while jobs still fire logs a warning per refused attempt, the Reporter's and Ratis's
            // client's complaints about the closing store, and a RejectedExecutionException from LeaderRole
            // (see the benchmark report): keep them out of the figures.
            setLevel("dev.hibachi", Level.OFF);
            setLevel("org.apache.ratis", Level.OFF);
            try {
                agent.close();
            } finally {
                setLevel("dev.hibachi", Level.WARN);
                setLevel("org.apache.ratis", Level.WARN);
            }
            deleteTree(dataDir);
        }
    }

    static Running startAgent(String node, DispatchObserver observer) throws Exception {
        Path dir = Files.createTempDirectory("hibachi-bench-");
        int http = freePort();
        int rpc = freePort();
        Agent agent = Agent.start(AgentConfig.dev(node, dir, http, rpc, dev.hibachi.store.StoreTestSupport.freeGossipPort()).withShutdownGrace(Duration.ofSeconds(5)),
                Clock.systemUTC(), observer, true);
        URI base = URI.create("http://127.0.0.1:" + http);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!agent.healthy() || !agent.isLeader()) {
            if (System.nanoTime() > deadline) {
                agent.close();
                throw new IllegalStateException("the agent did not become a healthy leader within 30 s");
            }
            Thread.sleep(20);
        }
        return new Running(agent, base, dir);
    }

    /**
     * The Raft index the agent's store has applied, or -1 if it cannot be read. The Agent has no public
     * accessor for it (see the benchmark report: {@code Agent.appliedIndex()} is proposed), so this reads the
     * private {@code storeServer} field and calls its public {@code lastAppliedIndex()}.
     */
    static long appliedIndex(Agent agent) {
        try {
            try {
                var m = Agent.class.getMethod("appliedIndex");
                return ((Number) m.invoke(agent)).longValue();
            } catch (NoSuchMethodException absent) {
                var f = Agent.class.getDeclaredField("storeServer");
                f.setAccessible(true);
                Object server = f.get(agent);
                return ((Number) server.getClass().getMethod("lastAppliedIndex").invoke(server)).longValue();
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * Ratis's own counters of this JVM's Raft logs, summed over its groups: {state-machine entries (commands),
     * metadata entries (Ratis appends one each time the leader's commit index advances), log flushes (fsyncs)};
     * null if Ratis's metrics cannot be read. They come from Ratis's {@code log_worker} metric registry, so
     * they count without any help from the agent.
     */
    static long[] raftLogCounters() {
        try {
            long[] out = new long[3];
            for (var registry : org.apache.ratis.metrics.MetricRegistries.global().getMetricRegistries()) {
                if (!"log_worker".equals(registry.getMetricRegistryInfo().getMetricsComponentName())
                        || !(registry instanceof org.apache.ratis.metrics.impl.RatisMetricRegistryImpl impl)) {
                    continue;
                }
                impl.getDropWizardMetricRegistry().getMetrics().forEach((name, metric) -> {
                    if (metric instanceof org.apache.ratis.thirdparty.com.codahale.metrics.Counting c) {
                        if (name.endsWith(".stateMachineLogEntryCount")) {
                            out[0] += c.getCount();
                        } else if (name.endsWith(".metadataLogEntryCount")) {
                            out[1] += c.getCount();
                        } else if (name.endsWith(".flushCount")) {
                            out[2] += c.getCount();
                        }
                    }
                });
            }
            return out;
        } catch (RuntimeException | LinkageError e) {
            return null;
        }
    }

    static int freePort() {
        return dev.hibachi.store.StoreTestSupport.freePort();
    }

    static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort: a temp dir
                }
            });
        } catch (IOException ignored) {
            // best effort
        }
    }

    // -------------------------------------------------------------------------------------------------- http

    /** A shell job's JSON (command {@code command}, not through a shell). */
    static String shellJob(String name, String schedule, String command) {
        return "{\"name\":\"" + name + "\",\"schedule\":\"" + schedule + "\",\"executor\":\"shell\","
                + "\"executor_config\":{\"command\":\"" + command + "\"}}";
    }

    static HttpResponse<String> post(URI base, String path, String json) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(15))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> get(URI base, String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(15)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** POSTs a job and fails unless it answered 201. */
    static void createJob(URI base, String json) throws IOException, InterruptedException {
        HttpResponse<String> r = post(base, "/v1/jobs", json);
        if (r.statusCode() != 201) {
            throw new IllegalStateException("POST /v1/jobs answered " + r.statusCode() + ": " + r.body());
        }
    }

    // ------------------------------------------------------------------------------------------------- stats

    /** A sorted sample of durations in nanoseconds. */
    record Stats(long[] sorted) {
        static Stats of(long[] nanos) {
            long[] s = nanos.clone();
            Arrays.sort(s);
            return new Stats(s);
        }

        int count() {
            return sorted.length;
        }

        /** Nearest-rank percentile, in ms (NaN when empty). */
        double percentileMs(double p) {
            if (sorted.length == 0) {
                return Double.NaN;
            }
            int rank = (int) Math.ceil(p / 100.0 * sorted.length);
            return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))] / 1e6;
        }

        double p50Ms() {
            return percentileMs(50);
        }

        double p99Ms() {
            return percentileMs(99);
        }

        double maxMs() {
            return sorted.length == 0 ? Double.NaN : sorted[sorted.length - 1] / 1e6;
        }
    }
}
