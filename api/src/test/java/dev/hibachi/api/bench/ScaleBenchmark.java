package dev.hibachi.api.bench;

import dev.hibachi.agent.dispatch.DispatchObserver;
import dev.hibachi.store.apply.Reply;
import dev.hibachi.store.model.Job;

import java.lang.management.ManagementFactory;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * Issue 2, "Speed": 100,000 jobs stored on one node. Creates {@code bench.scale.jobs} (100,000) shell jobs
 * with schedule {@code bench.scale.schedule} ({@code @every 24h}, so every job sits in the scheduler's index)
 * from {@code bench.scale.threads} (32) threads, through {@code JobService} (the path the HTTP API takes,
 * without the HTTP hop) or, with {@code -Dbench.scale.via=http}, through {@code POST /v1/jobs}. Then forces a
 * full GC and reports the heap used (goal ≤ 512 MB; run it with {@code -Xmx1g}, as the bench profile does),
 * then {@code GET /v1/jobs/{name}} for 2,000 random names, sequentially (goal p99 ≤ 10 ms).
 *
 * <p>The heap figure is this whole JVM: the agent and the benchmark's small bookkeeping (no list of names is
 * kept: names are derived from their number).
 */
public final class ScaleBenchmark {
    private ScaleBenchmark() {
    }

    public static void main(String[] args) {
        Bench.main("ScaleBenchmark", ScaleBenchmark::run);
    }

    static String name(int i) {
        return String.format("bench-scale-%06d", i);
    }

    static void run() throws Exception {
        int count = Figures.intProperty("bench.scale.jobs", 100_000);
        int threads = Figures.intProperty("bench.scale.threads", 32);
        int gets = Figures.intProperty("bench.scale.gets", 2000);
        String schedule = Figures.property("bench.scale.schedule", "@every 24h");
        String via = Figures.property("bench.scale.via", "service");
        long maxHeap = Runtime.getRuntime().maxMemory();
        if (maxHeap > (1200L << 20)) {
            Figures.note("WARNING: max heap is " + (maxHeap >> 20) + " MB; run with -Xmx1g for a meaningful heap figure");
        }
        try (Bench.Running agent = Bench.startAgent("bench-scale", DispatchObserver.NONE)) {
            Figures.note("creating " + count + " jobs \"" + schedule + "\" via " + via + " from " + threads
                    + " threads; load average " + Figures.loadAverage());
            AtomicInteger next = new AtomicInteger();
            AtomicInteger done = new AtomicInteger();
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            long t0 = System.nanoTime();
            List<Future<?>> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                workers.add(pool.submit(() -> {
                    for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
                        create(agent, via, name(i), schedule);
                        int d = done.incrementAndGet();
                        if (d % 20_000 == 0) {
                            Figures.note(d + " jobs after " + Figures.fmt((System.nanoTime() - t0) / 1e9) + " s");
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : workers) {
                f.get();
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            pool.shutdown();
            Figures.figure("created jobs", count, "jobs");
            Figures.figure("creation time", seconds, "s");
            Figures.figure("creation rate (" + via + ", " + threads + " threads)", count / seconds, "jobs/s");

            HttpResponse<String> probe = Bench.get(agent.base(), "/v1/jobs/" + name(count - 1));
            if (probe.statusCode() != 200) {
                throw new IllegalStateException("GET of the last job answered " + probe.statusCode());
            }

            long heap = heapAfterFullGc();
            Figures.figure("heap committed", ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted()
                    / 1048576.0, "MB");
            Figures.figure("process RSS (heap + RocksDB + native)", rssKb() / 1024.0, "MB");
            Figures.figure("data dir size", dirBytes(agent.dataDir()) / 1048576.0, "MB");
            Figures.goalAtMost("heap used after full GC with " + count + " jobs", heap / 1048576.0, "MB", 512);

            SplittableRandom random = new SplittableRandom(42);
            for (int i = 0; i < 200; i++) {
                getJob(agent, name(random.nextInt(count)));
            }
            long[] nanos = new long[gets];
            for (int i = 0; i < gets; i++) {
                String n = name(random.nextInt(count));
                long s = System.nanoTime();
                getJob(agent, n);
                nanos[i] = System.nanoTime() - s;
            }
            Figures.note("200 warm-up + " + gets + " sequential GET /v1/jobs/{name} of random names");
            Bench.Stats st = Bench.latencies("get job latency", nanos);
            Figures.goalAtMost("get job latency p99", st.p99Ms(), "ms", 10);
        }
    }

    private static void create(Bench.Running agent, String via, String name, String schedule) throws Exception {
        if (via.equals("http")) {
            Bench.createJob(agent.base(), Bench.shellJob(name, schedule, "true"));
            return;
        }
        Reply r = agent.agent().jobs().putJob(Job.of(name, schedule, "shell", Map.of("command", "true")));
        if (!r.ok()) {
            throw new IllegalStateException("creating " + name + " was refused: " + r.error());
        }
    }

    private static void getJob(Bench.Running agent, String name) throws Exception {
        HttpResponse<String> r = Bench.get(agent.base(), "/v1/jobs/" + name);
        if (r.statusCode() != 200) {
            throw new IllegalStateException("GET /v1/jobs/" + name + " answered " + r.statusCode() + ": " + r.body());
        }
    }

    /** Heap used after a few full collections (each {@code System.gc()} is a full GC on the default collectors). */
    static long heapAfterFullGc() throws InterruptedException {
        var memory = ManagementFactory.getMemoryMXBean();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++) {
            memory.gc();
            Thread.sleep(200);
            used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    static long rssKb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (Exception ignored) {
            // not Linux
        }
        return -1;
    }

    static long dirBytes(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).mapToLong(p -> {
                try {
                    return Files.size(p);
                } catch (Exception e) {
                    return 0;
                }
            }).sum();
        } catch (Exception e) {
            return -1;
        }
    }
}
