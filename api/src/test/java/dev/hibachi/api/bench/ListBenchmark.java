package dev.hibachi.api.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hibachi.agent.dispatch.DispatchObserver;
import dev.hibachi.store.apply.Reply;
import dev.hibachi.store.index.JobFilter;
import dev.hibachi.store.index.JobIndex;
import dev.hibachi.store.index.JobSort;
import dev.hibachi.store.json.Json;
import dev.hibachi.store.model.Job;
import dev.hibachi.store.raft.JobStateMachine;
import dev.hibachi.store.rocks.StoreView;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Issue 5: list pages of 100,000 jobs. Creates {@code bench.list.jobs} (100,000) shell jobs ({@code @every 24h},
 * so each has its own {@code next}) through {@code JobService} from {@code bench.list.threads} (32) threads, with
 * {@code metadata} {@code team=t0..t9} (a tenth each) and {@code env=prod|dev}, and a display name that says
 * {@code Nightly} for a tenth of them; then runs {@code bench.list.runs} (10,000) of them once, a twentieth failing,
 * so {@code status} selects something. Then, for each listing below, {@code bench.list.samples} (300) sequential
 * {@code GET /v1/jobs} after 50 warm-ups, checking each answer's status, size and {@code X-Total-Count}: p50/p99
 * (goal p99 ≤ 50 ms). Also prints the heap after full GC (goal ≤ 512 MB), how long the job index takes to
 * rebuild from this store (what opening the store costs), and how much heap the index itself takes.
 */
public final class ListBenchmark {
    private ListBenchmark() {
    }

    public static void main(String[] args) {
        Bench.main("ListBenchmark", ListBenchmark::run);
    }

    static String name(int i) {
        return String.format("bench-list-%06d", i);
    }

    static void run() throws Exception {
        int count = Figures.intProperty("bench.list.jobs", 100_000);
        int threads = Figures.intProperty("bench.list.threads", 32);
        int runs = Math.min(count, Figures.intProperty("bench.list.runs", 10_000));
        int samples = Figures.intProperty("bench.list.samples", 300);
        try (Bench.Running agent = Bench.startAgent("bench-list", DispatchObserver.NONE)) {
            Figures.note("creating " + count + " jobs from " + threads + " threads; load average "
                    + Figures.loadAverage());
            long t0 = System.nanoTime();
            parallel(threads, count, i -> {
                Reply r = agent.agent().jobs().putJob(job(i, count / runs));
                if (!r.ok()) {
                    throw new IllegalStateException("creating " + name(i) + " was refused: " + r.error());
                }
            });
            Figures.figure("creation rate", count / ((System.nanoTime() - t0) / 1e9), "jobs/s");

            Figures.note("running " + runs + " of them once (every 20th fails)");
            t0 = System.nanoTime();
            parallel(Math.min(threads, 8), runs, i -> {
                String job = name(i * (count / runs));
                Reply r = agent.agent().jobs().runNow(job);
                if (!r.ok()) {
                    throw new IllegalStateException("running " + job + " was refused: " + r.error());
                }
            });
            int failed = (runs + 19) / 20;
            awaitTotal(agent, "/v1/jobs?status=failed&_end=0", failed, 120);
            awaitTotal(agent, "/v1/jobs?status=success&_end=0", runs - failed, 120);
            Figures.figure("runs finished in", (System.nanoTime() - t0) / 1e9, "s");

            long heap = ScaleBenchmark.heapAfterFullGc();
            Figures.goalAtMost("heap used after full GC with " + count + " jobs", heap / 1048576.0, "MB", 512);
            Figures.figure("process RSS (heap + RocksDB + native)", ScaleBenchmark.rssKb() / 1024.0, "MB");

            int tenth = count / 10;
            Map<String, Integer> listings = new LinkedHashMap<>();
            listings.put("/v1/jobs?_start=0&_end=50", count);
            listings.put("/v1/jobs?_start=" + count / 2 + "&_end=" + (count / 2 + 50), count);
            listings.put("/v1/jobs?metadata[team]=t3&_start=" + tenth / 2 + "&_end=" + (tenth / 2 + 50), tenth);
            listings.put("/v1/jobs?metadata[team]=t3&metadata[env]=dev&_sort=next&_order=DESC&_start=0&_end=50",
                    tenth);
            listings.put("/v1/jobs?q=nightly&_start=" + tenth / 2 + "&_end=" + (tenth / 2 + 50), tenth);
            listings.put("/v1/jobs?status=success&_start=" + runs / 2 + "&_end=" + (runs / 2 + 50), runs - failed);
            listings.put("/v1/jobs?status=untriggered&_start=" + count / 2 + "&_end=" + (count / 2 + 50),
                    count - runs);
            listings.put("/v1/jobs?_sort=next&_order=DESC&_start=" + count / 2 + "&_end=" + (count / 2 + 50), count);
            listings.put("/v1/jobs?_sort=displayname&_start=" + count / 2 + "&_end=" + (count / 2 + 50), count);
            for (Map.Entry<String, Integer> l : listings.entrySet()) {
                measure(agent, l.getKey(), l.getValue(), 50, samples);
            }
            Figures.note("a whole answer: the first 10,000 jobs (the cap), 20 samples");
            measure(agent, "/v1/jobs", count, 10_000, 20);

            JobStateMachine store = stateMachine(agent);
            Figures.figure("job index rebuild from the store (as at open), best of 3", rebuildMillis(store), "ms");
            indexHeap(store, count);
        }
    }

    /**
     * Job {@code i}: a tenth in each team, half prod, a tenth "Nightly"; every {@code stride}th one is run, and of
     * those every 20th fails.
     */
    static Job job(int i, int stride) {
        Map<String, String> metadata = Map.of("team", "t" + (i % 10), "env", i % 2 == 0 ? "prod" : "dev");
        String display = (i % 10 == 7 ? "Nightly report " : "Report ") + i;
        boolean fails = i % stride == 0 && (i / stride) % 20 == 0;
        ObjectNode node = Json.mapper().valueToTree(Job.of(name(i), "@every 24h", "shell",
                Map.of("command", fails ? "false" : "true")));
        node.put("displayname", display).set("metadata", Json.mapper().valueToTree(metadata));
        return Json.mapper().convertValue(node, Job.class);
    }

    private static void measure(Bench.Running agent, String path, int total, int rows, int samples)
            throws Exception {
        for (int i = 0; i < Math.min(50, samples); i++) {
            check(agent, path, total, rows);
        }
        long[] nanos = new long[samples];
        for (int i = 0; i < samples; i++) {
            long s = System.nanoTime();
            check(agent, path, total, rows);
            nanos[i] = System.nanoTime() - s;
        }
        Bench.Stats st = Bench.Stats.of(nanos);
        Figures.figure("GET " + path + " p50", st.p50Ms(), "ms");
        if (rows <= 50) {
            Figures.goalAtMost("GET " + path + " p99", st.p99Ms(), "ms", 50);
        } else {
            Figures.figure("GET " + path + " p99", st.p99Ms(), "ms");
        }
    }

    private static void check(Bench.Running agent, String path, int total, int rows) throws Exception {
        HttpResponse<String> r = Bench.get(agent.base(), path.replace("[", "%5B").replace("]", "%5D"));
        String count = r.headers().firstValue("X-Total-Count").orElse("");
        if (r.statusCode() != 200 || !count.equals(String.valueOf(total))) {
            throw new IllegalStateException("GET " + path + " answered " + r.statusCode() + " with X-Total-Count "
                    + count + " (expected " + total + "): " + r.body().substring(0, Math.min(300, r.body().length())));
        }
        int got = Json.mapper().readTree(r.body()).size();
        if (got != Math.min(rows, total)) {
            throw new IllegalStateException("GET " + path + " answered " + got + " jobs, expected " + rows);
        }
    }

    private static void awaitTotal(Bench.Running agent, String path, int total, int seconds) throws Exception {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        String last = "";
        while (System.nanoTime() < deadline) {
            HttpResponse<String> r = Bench.get(agent.base(), path);
            last = r.headers().firstValue("X-Total-Count").orElse("");
            if (last.equals(String.valueOf(total))) {
                return;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException(path + " counted " + last + " after " + seconds + " s, expected " + total);
    }

    /** The agent's state machine (the agent does not hand it out: read from its private field, as Bench does). */
    private static JobStateMachine stateMachine(Bench.Running agent) throws ReflectiveOperationException {
        var field = agent.agent().getClass().getDeclaredField("storeServer");
        field.setAccessible(true);
        Object server = field.get(agent.agent());
        return (JobStateMachine) server.getClass().getMethod("stateMachine").invoke(server);
    }

    /** Builds a second job index from the store, as opening the store does, and answers how long it took. */
    private static double rebuildMillis(JobStateMachine store) {
        double best = Double.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            long s = System.nanoTime();
            int size = store.read((StoreView v) -> {
                JobIndex fresh = new JobIndex();
                fresh.rebuild(v::eachJob);
                return fresh.size();
            });
            best = Math.min(best, (System.nanoTime() - s) / 1e6);
            if (size == 0) {
                throw new IllegalStateException("the rebuilt index is empty");
            }
        }
        return best;
    }

    /**
     * The heap a job index takes: a second one is built from the store and measured after full GCs, first bare,
     * then with what q and the display name and schedule orders add once used.
     */
    private static void indexHeap(JobStateMachine store, int count) throws InterruptedException {
        long without = ScaleBenchmark.heapAfterFullGc();
        JobIndex copy = store.read((StoreView v) -> {
            JobIndex fresh = new JobIndex();
            fresh.rebuild(v::eachJob);
            return fresh;
        });
        copy.select(JobFilter.NONE, JobSort.NAME, false, 0, 1, () -> null);
        long bare = ScaleBenchmark.heapAfterFullGc();
        copy.select(new JobFilter(null, "x", null, null), JobSort.NAME, false, 0, 1, () -> null);
        copy.select(JobFilter.NONE, JobSort.DISPLAYNAME, false, 0, 1, () -> null);
        copy.select(JobFilter.NONE, JobSort.SCHEDULE, false, 0, 1, () -> null);
        long all = ScaleBenchmark.heapAfterFullGc();
        Figures.figure("job index heap, " + copy.size() + " jobs", (bare - without) / 1048576.0, "MB");
        Figures.figure("job index heap per job", (bare - without) / (double) count, "bytes");
        Figures.figure("job index heap with q and the text orders in use", (all - without) / 1048576.0, "MB");
    }

    interface Task {
        void run(int i) throws Exception;
    }

    static void parallel(int threads, int count, Task task) throws Exception {
        AtomicInteger next = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                workers.add(pool.submit(() -> {
                    for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
                        task.run(i);
                    }
                    return null;
                }));
            }
            for (Future<?> f : workers) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
    }
}
