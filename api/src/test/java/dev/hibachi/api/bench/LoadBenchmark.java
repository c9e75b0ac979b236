package dev.hibachi.api.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hibachi.agent.dispatch.DispatchObserver;
import dev.hibachi.agent.dispatch.RunOrder;
import dev.hibachi.agent.exec.ExecutionRequest;
import dev.hibachi.agent.exec.ExecutionResult;
import dev.hibachi.agent.exec.ProcessGroups;
import dev.hibachi.agent.exec.ShellExecutor;
import dev.hibachi.api.ledger.RunLedger;

import java.io.File;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Issue 2, "Speed": 500 jobs each second with command {@code true}, on one node, for
 * {@code bench.seconds} (default 60) per scenario. First the spawn ceiling of this machine: 8 threads
 * spawning {@code /bin/sh -c true} and waiting for it, for {@code bench.load.ceilingSeconds} (10).
 *
 * <ul>
 *   <li><b>herd</b>: 500 jobs {@code * * * * * *}, all due at the same instant. Per instant, the drain time
 *       (instant → the last {@code spawning} call of that instant) must stay ≤ 1.2 × 500 ÷ ceiling; the
 *       dispatch lateness (instant → {@code spawning}) of every attempt is reported too.</li>
 *   <li><b>spread</b>: 500 jobs {@code @every 1s} created at staggered times across one second, so their
 *       phases spread. Dispatch lateness (instant → {@code spawning} call) p99 ≤ 20 ms, and start lateness
 *       (instant → the execution's {@code started_at} as the API shows it) p99 ≤ 50 ms.</li>
 *   <li>both: no lost or duplicated instant ({@link RunLedger} over the window) and Raft ≤ 50 entries/s.</li>
 * </ul>
 * Each scenario runs on a fresh agent (fresh data dir), in this JVM, with a {@link DispatchObserver} that
 * records when each attempt was dispatched and spawned.
 */
public final class LoadBenchmark {
    private static final ObjectMapper JSON = new ObjectMapper();

    private LoadBenchmark() {
    }

    public static void main(String[] args) {
        Bench.main("LoadBenchmark", LoadBenchmark::run);
    }

    static void run() throws Exception {
        int seconds = Figures.intProperty("bench.seconds", 60);
        int jobs = Figures.intProperty("bench.load.jobs", 500);
        int ceilingSeconds = Figures.intProperty("bench.load.ceilingSeconds", 10);
        String scenarios = Figures.property("bench.load.scenarios", "herd,spread");
        if (scenarios.equals("none")) {
            scenarios = "";
        }
        Figures.note(jobs + " jobs, " + seconds + " s per scenario (-Dbench.seconds), scenarios " + scenarios);

        if (ceilingSeconds <= 0) {
            throw new IllegalArgumentException("bench.load.ceilingSeconds must be at least 1: the herd goal is"
                    + " derived from the spawn ceiling");
        }
        double ceiling = spawnCeiling(8, Duration.ofSeconds(ceilingSeconds));
        Figures.figure("spawn ceiling (8 threads, /bin/sh -c true, wait for exit, " + ceilingSeconds + " s)", ceiling,
                "spawns/s");
        Figures.figure("target (about 60 % of the ceiling)", 0.6 * ceiling, "runs/s");
        Figures.note(jobs + " runs/s is " + Figures.fmt(100.0 * jobs / ceiling) + " % of the ceiling"
                + (jobs > 0.6 * ceiling ? ": above the 60 % target, so this machine is not expected to keep up" : ""));
        if (!"false".equals(Figures.property("bench.load.executorCeiling", "true"))) {
            // Diagnosis, no goal: the same, through the agent's own ShellExecutor (setsid, output FIFO, process
            // group file, reader), without Raft, journal or dispatch: what the member's spawn path alone reaches.
            double executor = executorCeiling(8, Duration.ofSeconds(ceilingSeconds));
            Figures.figure("executor ceiling (8 threads, ShellExecutor \"true\", wait for the result, " + ceilingSeconds
                    + " s)", executor, "runs/s");
        }

        for (String s : scenarios.split(",")) {
            switch (s.trim()) {
                case "herd" -> herd(jobs, seconds, ceiling);
                case "spread" -> spread(jobs, seconds);
                case "" -> { }
                default -> throw new IllegalArgumentException("unknown scenario " + s + " (herd, spread, none)");
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ ceiling

    /** Spawns per second that {@code threads} threads reach, each spawning {@code /bin/sh -c true} and waiting. */
    static double spawnCeiling(int threads, Duration length) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        AtomicLong spawned = new AtomicLong();
        long start = System.nanoTime();
        long deadline = start + length.toNanos();
        List<Future<?>> done = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            done.add(pool.submit(() -> {
                ProcessBuilder pb = new ProcessBuilder("/bin/sh", "-c", "true")
                        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .redirectError(ProcessBuilder.Redirect.DISCARD);
                while (System.nanoTime() < deadline) {
                    pb.start().waitFor();
                    spawned.incrementAndGet();
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        pool.shutdown();
        return spawned.get() / elapsed;
    }

    /** Runs per second that {@code threads} threads reach through the agent's {@link ShellExecutor}. */
    static double executorCeiling(int threads, Duration length) throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("hibachi-bench-groups-");
        ProcessGroups groups = new ProcessGroups(dir);
        ShellExecutor executor = new ShellExecutor();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        AtomicLong runs = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        long start = System.nanoTime();
        long deadline = start + length.toNanos();
        List<Future<?>> done = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            done.add(pool.submit(() -> {
                while (System.nanoTime() < deadline) {
                    long n = runs.incrementAndGet();
                    ExecutionResult r = executor.start(new ExecutionRequest("bench-ceiling", Map.of("command", "true"),
                            n, 1, null, groups)).completion().join();
                    if (!r.success()) {
                        failed.incrementAndGet();
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        pool.shutdown();
        groups.close();
        Bench.deleteTree(dir);
        if (failed.get() > 0) {
            Figures.note(failed.get() + " of " + runs.get() + " executor runs failed");
        }
        return runs.get() / elapsed;
    }

    // ---------------------------------------------------------------------------------------------- scenarios

    static void herd(int jobs, int seconds, double ceiling) throws Exception {
        String label = "herd";
        System.out.println();
        Figures.note("scenario herd: " + jobs + " jobs \"* * * * * *\" (all due at the same instant), load average "
                + Figures.loadAverage());
        Window w = runScenario(label, jobs, seconds, (agent, names) -> {
            for (String name : names) {
                Bench.createJob(agent.base(), Bench.shellJob(name, "* * * * * *", "true"));
            }
        });
        // Per instant: instant -> last spawning call of that instant.
        Map<Instant, long[]> perInstant = new TreeMap<>();
        for (Recorder.Event e : w.spawns) {
            long[] v = perInstant.computeIfAbsent(e.scheduledAt(), k -> new long[]{Long.MIN_VALUE, 0});
            v[0] = Math.max(v[0], e.latenessNanos());
            v[1]++;
        }
        long[] drains = perInstant.values().stream().mapToLong(v -> v[0]).toArray();
        long fullInstants = perInstant.values().stream().filter(v -> v[1] == jobs).count();
        Figures.note(perInstant.size() + " instants in the window, " + fullInstants + " with all " + jobs
                + " attempts spawned");
        Bench.Stats drain = Bench.latencies(label + " drain (instant -> last spawn call)", drains);
        // Which instants were slowest, and when: a tail that comes back at a period points at periodic work.
        Instant first = perInstant.isEmpty() ? null : perInstant.keySet().iterator().next();
        Figures.note("slowest instants (seconds into the window: drain ms): " + perInstant.entrySet().stream()
                .sorted((x, y) -> Long.compare(y.getValue()[0], x.getValue()[0])).limit(5)
                .map(e -> (e.getKey().getEpochSecond() - first.getEpochSecond()) + ": "
                        + Figures.fmt(e.getValue()[0] / 1e6))
                .collect(java.util.stream.Collectors.joining(", ")));
        Bench.latencies(label + " dispatch lateness (instant -> spawn call)", w.spawnLateness());
        Bench.latencies(label + " leader send lateness (instant -> dispatched)", w.dispatchLateness());
        double goalMs = 1.2 * jobs / ceiling * 1000;
        Figures.goalAtMost(label + " drain p99", drain.p99Ms(), "ms", goalMs);
        w.common(label);
    }

    static void spread(int jobs, int seconds) throws Exception {
        String label = "spread";
        System.out.println();
        Figures.note("scenario spread: " + jobs + " jobs \"@every 1s\" created at staggered times across one second,"
                + " load average " + Figures.loadAverage());
        Window w = runScenario(label, jobs, seconds, (agent, names) -> {
            // One creation every 1000/jobs ms, on a few threads so a slow POST does not push the rest back.
            ScheduledExecutorService creators = Executors.newScheduledThreadPool(4);
            CountDownLatch created = new CountDownLatch(names.size());
            AtomicReference<Exception> failure = new AtomicReference<>();
            long stepMicros = 1_000_000L / names.size();
            for (int i = 0; i < names.size(); i++) {
                String name = names.get(i);
                creators.schedule(() -> {
                    try {
                        Bench.createJob(agent.base(), Bench.shellJob(name, "@every 1s", "true"));
                    } catch (Exception e) {
                        failure.compareAndSet(null, e);
                    } finally {
                        created.countDown();
                    }
                }, i * stepMicros, TimeUnit.MICROSECONDS);
            }
            created.await();
            creators.shutdown();
            if (failure.get() != null) {
                throw failure.get();
            }
        });
        // How well the phases spread: in how many of the 100 10-ms slots of a second do instants fall.
        boolean[] slots = new boolean[100];
        for (Recorder.Event e : w.spawns) {
            slots[e.scheduledAt().getNano() / 10_000_000] = true;
        }
        int used = 0;
        for (boolean b : slots) {
            used += b ? 1 : 0;
        }
        Figures.note("phases of the instants fall in " + used + " of the 100 10-ms slots of a second");
        Bench.Stats spawn = Bench.latencies(label + " dispatch lateness (instant -> spawn call)", w.spawnLateness());
        Bench.latencies(label + " leader send lateness (instant -> dispatched)", w.dispatchLateness());
        long[] started = startedLateness(w);
        Bench.Stats start = Bench.latencies(label + " start lateness (instant -> execution started_at, API)", started);
        Figures.goalAtMost(label + " dispatch lateness p99", spawn.p99Ms(), "ms", 20);
        Figures.goalAtMost(label + " start lateness p99", start.p99Ms(), "ms", 50);
        w.common(label);
    }

    interface Creator {
        void create(Bench.Running agent, List<String> names) throws Exception;
    }

    /** What one scenario measured over its window {@code [from, to)}. */
    record Window(List<String> names, Instant from, Instant to, int seconds,
                  List<Recorder.Event> spawns, List<Recorder.Event> dispatches, long expected,
                  long appliedEntries, long[] raftDelta, double cpuCores, long spawnedDuring,
                  RunLedger.Report ledger, List<JsonNode> executions) {

        long[] spawnLateness() {
            return spawns.stream().mapToLong(Recorder.Event::latenessNanos).toArray();
        }

        long[] dispatchLateness() {
            return dispatches.stream().mapToLong(Recorder.Event::latenessNanos).toArray();
        }

        /** The figures and goals both scenarios share. */
        void common(String label) {
            Figures.figure(label + " attempts of the window's instants spawned (by the end of the wait)", spawns.size(),
                    "of " + expected + " expected");
            Figures.figure(label + " runs spawned per second during the window (any instant)", spawnedDuring
                    / (double) seconds, "runs/s");
            Figures.figure(label + " agent JVM CPU (not counting the jobs' processes)", cpuCores, "cores");
            if (raftDelta != null) {
                Figures.figure(label + " raft commands (state-machine entries)", raftDelta[0] / (double) seconds,
                        "entries/s");
                Figures.figure(label + " raft metadata entries (Ratis, one per commit-index advance)",
                        raftDelta[1] / (double) seconds, "entries/s");
                Figures.figure(label + " raft log flushes", raftDelta[2] / (double) seconds, "fsyncs/s");
            }
            if (appliedEntries >= 0) {
                Figures.goalAtMost(label + " raft log entries (applied index, all kinds)", appliedEntries
                        / (double) seconds, "entries/s", 50);
            } else if (raftDelta != null) {
                Figures.goalAtMost(label + " raft log entries (Ratis counters, all kinds)", (raftDelta[0] + raftDelta[1])
                        / (double) seconds, "entries/s", 50);
            } else {
                Figures.note(label + " raft entries/s: not measured (neither the applied index nor Ratis's counters"
                        + " could be read)");
            }
            if (ledger == null) {
                Figures.goalTrue(label + " run ledger", false, "not checked: the agent fell behind (" + spawns.size()
                        + " of " + expected + " attempts spawned)", "no missed, lost or duplicated instant");
                return;
            }
            String summary = "expected " + ledger.expected().size() + ", ran " + ledger.ran().size() + ", lost "
                    + ledger.lost().size() + ", missed " + ledger.missed().size() + ", duplicates "
                    + ledger.duplicates().size() + ", stuck " + ledger.stuck().size() + ", errors "
                    + ledger.errors().size();
            boolean clean = ledger.clean() && ledger.missed().isEmpty();
            Figures.goalTrue(label + " run ledger " + ledger.from() + " .. " + ledger.to(), clean, summary,
                    "no missed, lost or duplicated instant");
            if (!clean) {
                System.out.println(ledger);
            }
        }
    }

    static Window runScenario(String label, int jobs, int seconds, Creator creator) throws Exception {
        Recorder recorder = new Recorder();
        try (Bench.Running agent = Bench.startAgent("bench-load", recorder)) {
            List<String> names = new ArrayList<>();
            for (int i = 0; i < jobs; i++) {
                names.add(String.format("bench-%s-%04d", label, i));
            }
            long t0 = System.nanoTime();
            creator.create(agent, names);
            Figures.figure(label + " creating " + jobs + " jobs took", (System.nanoTime() - t0) / 1e6, "ms");

            // Let the first plans settle, then measure over whole seconds.
            int warmup = Figures.intProperty("bench.load.warmupSeconds", 3);
            Instant from = Instant.now().plusSeconds(warmup).truncatedTo(ChronoUnit.SECONDS).plusSeconds(1);
            sleepUntil(from);
            long index0 = Bench.appliedIndex(agent.agent());
            long[] raft0 = Bench.raftLogCounters();
            long cpu0 = Bench.processCpuNanos();
            long wall0 = System.nanoTime();
            // An agent that cannot keep up falls further behind each second, and at some point its backlog
            // takes the whole JVM down with it (see the report); stop the window early when it is
            // bench.load.maxBehindSeconds of runs behind, so the benchmark still ends and reports.
            int maxBehind = Figures.intProperty("bench.load.maxBehindSeconds", 10);
            Instant stop = from.plusSeconds(seconds);
            boolean fellBehind = false;
            for (int k = 1; k <= seconds; k++) {
                sleepUntil(from.plusSeconds(k));
                Instant settled = from.plusSeconds(k - 1);
                long spawned = recorder.spawns.stream().filter(e -> e.attempt() == 1 && e.in(from, settled)).count();
                long behind = (long) jobs * (k - 1) - spawned;
                if (behind > (long) jobs * maxBehind) {
                    stop = from.plusSeconds(k);
                    fellBehind = true;
                    Figures.note(label + ": after " + k + " s the agent is " + behind + " runs (more than " + maxBehind
                            + " s of runs) behind; the window stops here instead of at " + seconds + " s");
                    break;
                }
            }
            final Instant to = stop;
            seconds = (int) Duration.between(from, to).toSeconds();
            long index1 = Bench.appliedIndex(agent.agent());
            long[] raft1 = Bench.raftLogCounters();
            long cpu1 = Bench.processCpuNanos();
            long wall1 = System.nanoTime();
            long expected = (long) jobs * seconds;
            awaitSpawns(recorder, from, to, expected, Duration.ofSeconds(30));

            List<Recorder.Event> spawns = recorder.spawns.stream().filter(e -> e.attempt() == 1 && e.in(from, to))
                    .toList();
            List<Recorder.Event> dispatches = recorder.dispatches.stream()
                    .filter(e -> e.attempt() == 1 && e.in(from, to)).toList();

            // Spawn calls per second of the window (by when they happened): shows an agent falling behind.
            int[] perSecond = new int[seconds + 30];
            for (Recorder.Event e : spawns) {
                long k = Duration.between(from, e.at()).toSeconds();
                perSecond[(int) Math.max(0, Math.min(perSecond.length - 1, k))]++;
            }
            StringBuilder timeline = new StringBuilder();
            int lastNonZero = 0;
            for (int k = 0; k < perSecond.length; k++) {
                lastNonZero = perSecond[k] > 0 ? k : lastNonZero;
            }
            for (int k = 0; k <= lastNonZero; k++) {
                timeline.append(k == 0 ? "" : " ").append(perSecond[k]);
            }
            Figures.note(label + " spawn calls per second from the window's start: " + timeline);

            RunLedger.Report ledger = null;
            List<JsonNode> executions = new ArrayList<>();
            String apiProblem = fellBehind || spawns.size() < 0.9 * expected ? null : probeApi(agent, names.get(0));
            if (fellBehind || spawns.size() < 0.9 * expected) {
                // An agent this far behind answers the API slowly too; reading 3 routes x every job could take
                // many minutes. The ledger goal is reported as not met instead.
                Figures.note(label + ": " + spawns.size() + " of " + expected + " attempts were spawned; the agent"
                        + " fell behind, so the run ledger and the executions are not read");
            } else if (apiProblem != null) {
                Figures.note(label + ": the API does not answer (" + apiProblem + "), so the run ledger and the"
                        + " executions are not read");
            } else {
                // The ledger reads every execution a job keeps (100 by default): keep its window within that.
                Instant ledgerFrom = from.isBefore(to.minusSeconds(90)) ? to.minusSeconds(90) : from;
                if (!ledgerFrom.equals(from)) {
                    Figures.note("the run ledger checks the last 90 s only (a job keeps its newest 100 executions)");
                }
                ledger = RunLedger.check(agent.base(), names, ledgerFrom, to, Duration.ofSeconds(15));
                for (String name : names) {
                    HttpResponse<String> r = Bench.get(agent.base(), "/v1/jobs/" + name
                            + "/executions?output_size_limit=0");
                    if (r.statusCode() != 200) {
                        Figures.note(label + ": GET executions of " + name + " answered " + r.statusCode()
                                + "; the start lateness is computed from what was read before it");
                        break;
                    }
                    JSON.readTree(r.body()).forEach(executions::add);
                }
            }
            Figures.note(label + ": " + recorder.spawns.size() + " spawn calls and " + recorder.dispatches.size()
                    + " dispatch calls recorded in all, " + spawns.size() + " and " + dispatches.size()
                    + " of them for instants in the window; " + executions.size() + " executions read back");
            double cpuCores = cpu0 < 0 ? Double.NaN : (cpu1 - cpu0) / (double) (wall1 - wall0);
            long entries = index0 < 0 || index1 < 0 ? -1 : index1 - index0;
            long[] raftDelta = raft0 == null || raft1 == null ? null
                    : new long[]{raft1[0] - raft0[0], raft1[1] - raft0[1], raft1[2] - raft0[2]};
            long spawnedDuring = recorder.spawns.stream().filter(e -> !e.at().isBefore(from) && e.at().isBefore(to))
                    .count();
            return new Window(names, from, to, seconds, spawns, dispatches, expected, entries, raftDelta, cpuCores,
                    spawnedDuring, ledger, executions);
        }
    }

    /** Null if the API answers a read of {@code job}'s executions with 200 within 5 s; else what went wrong. */
    static String probeApi(Bench.Running agent, String job) {
        try {
            long t0 = System.nanoTime();
            var request = java.net.http.HttpRequest.newBuilder(agent.base().resolve("/v1/jobs/" + job
                    + "/executions?output_size_limit=0")).timeout(Duration.ofSeconds(5)).GET().build();
            HttpResponse<String> r = Bench.HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            long ms = (System.nanoTime() - t0) / 1_000_000;
            return r.statusCode() == 200 ? null : "answered " + r.statusCode() + " after " + ms + " ms: "
                    + r.body().substring(0, Math.min(200, r.body().length()));
        } catch (Exception e) {
            return e.toString();
        }
    }

    /** Instant → {@code started_at}, for the window's first attempts, as the API reports them. */
    static long[] startedLateness(Window w) {
        List<Long> out = new ArrayList<>();
        for (JsonNode e : w.executions()) {
            Instant scheduled = time(e.path("scheduled_at"));
            Instant started = time(e.path("started_at"));
            if (scheduled == null || started == null || e.path("attempt").asInt(1) != 1
                    || scheduled.isBefore(w.from()) || !scheduled.isBefore(w.to())) {
                continue;
            }
            out.add(Duration.between(scheduled, started).toNanos());
        }
        return out.stream().mapToLong(Long::longValue).toArray();
    }

    private static Instant time(JsonNode n) {
        String s = n.asText("");
        return s.isEmpty() || s.startsWith("0001-01-01") ? null : OffsetDateTime.parse(s).toInstant();
    }

    /**
     * Waits until every instant of the window has been spawned, or no attempt due before {@code to} was spawned
     * for 5 s (an agent far behind keeps spawning older instants: that counts as progress), or {@code max}.
     */
    private static void awaitSpawns(Recorder recorder, Instant from, Instant to, long expected, Duration max)
            throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        long last = -1;
        long lastChange = System.nanoTime();
        while (System.nanoTime() < deadline) {
            long inWindow = recorder.spawns.stream().filter(e -> e.attempt() == 1 && e.in(from, to)).count();
            if (inWindow >= expected) {
                return;
            }
            long due = recorder.spawns.stream().filter(e -> e.scheduledAt().isBefore(to)).count();
            if (due != last) {
                last = due;
                lastChange = System.nanoTime();
            } else if (System.nanoTime() - lastChange > Duration.ofSeconds(5).toNanos()) {
                return;
            }
            Thread.sleep(200);
        }
    }

    private static void sleepUntil(Instant t) throws InterruptedException {
        long ms = Duration.between(Instant.now(), t).toMillis();
        if (ms > 0) {
            Thread.sleep(ms);
        }
    }

    /** Records each attempt's dispatch and spawn, with the instant it was due. */
    static final class Recorder implements DispatchObserver {
        record Event(String job, Instant scheduledAt, int attempt, Instant at) {
            long latenessNanos() {
                return Duration.between(scheduledAt, at).toNanos();
            }

            boolean in(Instant from, Instant to) {
                return !scheduledAt.isBefore(from) && scheduledAt.isBefore(to);
            }
        }

        final ConcurrentLinkedQueue<Event> spawns = new ConcurrentLinkedQueue<>();
        final ConcurrentLinkedQueue<Event> dispatches = new ConcurrentLinkedQueue<>();

        @Override
        public void dispatched(RunOrder.Attempt a, Instant at) {
            dispatches.add(new Event(a.job().name(), a.scheduledAt(), a.attempt(), at));
        }

        @Override
        public void spawning(RunOrder.Attempt a, Instant at) {
            spawns.add(new Event(a.job().name(), a.scheduledAt(), a.attempt(), at));
        }
    }
}
