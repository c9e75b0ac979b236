package dev.hibachi.api.bench;

import dev.hibachi.agent.dispatch.DispatchObserver;

import java.net.http.HttpResponse;

/**
 * Issue 2, "Speed": {@code POST /v1/jobs} p99 ≤ 20 ms on a single node. Starts an agent in this JVM, sends
 * {@code bench.post.warmup} (200) then {@code bench.post.count} (2,000) sequential POSTs of distinct
 * {@code @every 1h} shell jobs through {@link java.net.http.HttpClient}, one connection, and prints
 * p50/p90/p99/max. Each POST is one Raft commit (fsync'd log) plus the HTTP round trip.
 */
public final class PostLatencyBenchmark {
    private PostLatencyBenchmark() {
    }

    public static void main(String[] args) {
        Bench.main("PostLatencyBenchmark", PostLatencyBenchmark::run);
    }

    static void run() throws Exception {
        int warmup = Figures.intProperty("bench.post.warmup", 200);
        int count = Figures.intProperty("bench.post.count", 2000);
        try (Bench.Running agent = Bench.startAgent("bench-post", DispatchObserver.NONE)) {
            long appliedBefore = -1;
            long[] raftBefore = null;
            long[] nanos = new long[count];
            for (int i = 0; i < warmup + count; i++) {
                if (i == warmup) {
                    appliedBefore = Bench.appliedIndex(agent.agent());
                    raftBefore = Bench.raftLogCounters();
                }
                String json = Bench.shellJob(String.format("bench-post-%06d", i), "@every 1h", "true");
                long t0 = System.nanoTime();
                HttpResponse<String> r = Bench.post(agent.base(), "/v1/jobs", json);
                long dt = System.nanoTime() - t0;
                if (r.statusCode() != 201) {
                    throw new IllegalStateException("POST /v1/jobs answered " + r.statusCode() + ": " + r.body());
                }
                if (i >= warmup) {
                    nanos[i - warmup] = dt;
                }
            }
            long appliedAfter = Bench.appliedIndex(agent.agent());
            long[] raftAfter = Bench.raftLogCounters();
            Figures.note(warmup + " warm-up + " + count + " measured sequential POSTs of @every 1h shell jobs");
            Bench.Stats s = Bench.latencies("post latency", nanos);
            double totalSeconds = java.util.Arrays.stream(nanos).sum() / 1e9;
            Figures.figure("post rate (sequential)", count / totalSeconds, "jobs/s");
            if (appliedBefore >= 0 && appliedAfter >= 0) {
                Figures.figure("raft log entries per POST (applied index)", (appliedAfter - appliedBefore)
                        / (double) count, "entries");
            }
            if (raftBefore != null && raftAfter != null) {
                Figures.figure("raft commands per POST", (raftAfter[0] - raftBefore[0]) / (double) count, "entries");
                Figures.figure("raft log flushes per POST", (raftAfter[2] - raftBefore[2]) / (double) count, "fsyncs");
            }
            Figures.goalAtMost("post latency p99", s.p99Ms(), "ms", 20);
        }
    }
}
