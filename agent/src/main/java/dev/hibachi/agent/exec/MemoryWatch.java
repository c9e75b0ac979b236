package dev.hibachi.agent.exec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Enforces {@code mem_limit}: every {@value #PERIOD_MILLIS} ms, one thread shared by all runs reads
 * {@code /proc} once and sums, for each watched run, the resident memory (RSS) of its processes:
 * those in its session or process group (both are the leader's pid, see {@link PosixSpawn}) and those
 * descending from its leader, so a child that left the group still counts while its parent lives.
 * A run past its limit is reported once, to its callback, on the executors' pool.
 *
 * <p>RSS is summed as Dkron does, so pages shared between processes (a forked child's copy-on-write
 * pages, shared libraries) count once per process: a limit errs on the side of killing.
 * The thread runs only while some run is watched. Without {@code /proc} nothing can be measured: the
 * limit is accepted and not enforced (logged once).
 */
final class MemoryWatch {

    private static final Logger log = LoggerFactory.getLogger(MemoryWatch.class);

    static final long PERIOD_MILLIS = 1000;
    private static final Path PROC = Path.of("/proc");
    private static final AtomicBoolean NO_PROC_LOGGED = new AtomicBoolean();

    private static final Set<Watched> WATCHED = ConcurrentHashMap.newKeySet();
    private static final ScheduledExecutorService POLLER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "hibachi-exec-memory");
        t.setDaemon(true);
        return t;
    });
    private static final Object LOCK = new Object();
    private static ScheduledFuture<?> polling; // guarded by LOCK

    private MemoryWatch() {}

    /** One watched run. */
    private static final class Watched {
        final long leader;
        final long limit;
        final LongConsumer overLimit;

        Watched(long leader, long limit, LongConsumer overLimit) {
            this.leader = leader;
            this.limit = limit;
            this.overLimit = overLimit;
        }
    }

    /**
     * Watches the run led by {@code leader} until the returned handle is run (call it when the run
     * ends). When its resident memory exceeds {@code limitBytes}, {@code overLimit} gets the measured
     * size, once, and the run is no longer watched.
     */
    static Runnable watch(long leader, long limitBytes, LongConsumer overLimit) {
        if (!Procs.procAvailable()) {
            if (NO_PROC_LOGGED.compareAndSet(false, true)) {
                log.warn("/proc cannot be read here: executor_config.mem_limit is accepted but not enforced");
            }
            return () -> {};
        }
        Watched w = new Watched(leader, limitBytes, overLimit);
        synchronized (LOCK) {
            WATCHED.add(w);
            if (polling == null) {
                polling = POLLER.scheduleWithFixedDelay(MemoryWatch::poll, PERIOD_MILLIS, PERIOD_MILLIS,
                        TimeUnit.MILLISECONDS);
            }
        }
        return () -> unwatch(w);
    }

    private static void unwatch(Watched w) {
        synchronized (LOCK) {
            WATCHED.remove(w);
            if (WATCHED.isEmpty() && polling != null) {
                polling.cancel(false);
                polling = null;
            }
        }
    }

    /** The runs watched now (for tests). */
    static int watchedCount() {
        return WATCHED.size();
    }

    private static void poll() {
        try {
            if (WATCHED.isEmpty()) {
                return;
            }
            Map<Long, Procs.Stat> procs = scan();
            Map<Long, List<Long>> children = new HashMap<>();
            for (Procs.Stat p : procs.values()) {
                children.computeIfAbsent(p.ppid(), k -> new ArrayList<>()).add(p.pid());
            }
            for (Watched w : WATCHED) {
                long rss = residentBytes(w.leader, procs, children);
                if (rss > w.limit) {
                    unwatch(w);
                    ExecThreads.POOL.execute(() -> w.overLimit.accept(rss));
                }
            }
        } catch (RuntimeException e) {
            log.error("memory poll failed", e);
        }
    }

    /** The RSS of the run led by {@code leader}: its session, its group, and the leader's descendants. */
    static long residentBytes(long leader, Map<Long, Procs.Stat> procs, Map<Long, List<Long>> children) {
        Set<Long> members = new HashSet<>();
        for (Procs.Stat p : procs.values()) {
            if (p.sid() == leader || p.pgrp() == leader) {
                members.add(p.pid());
            }
        }
        Set<Long> seen = new HashSet<>();
        List<Long> todo = new ArrayList<>(List.of(leader));
        while (!todo.isEmpty()) {
            long pid = todo.remove(todo.size() - 1);
            if (!seen.add(pid)) {
                continue;
            }
            if (procs.containsKey(pid)) {
                members.add(pid);
            }
            todo.addAll(children.getOrDefault(pid, List.of()));
        }
        long total = 0;
        for (long pid : members) {
            total += rssBytes(pid);
        }
        return total;
    }

    /** Every process but zombies (they hold no memory), by pid; none when {@code /proc} cannot be read. */
    private static Map<Long, Procs.Stat> scan() {
        Map<Long, Procs.Stat> all = Procs.scan();
        return all == null ? Map.of() : all;
    }

    /**
     * {@code VmRSS} of {@code /proc/PID/status}, in bytes (0 when gone). Read there rather than from
     * {@code stat}, which counts pages of a size Java cannot ask for.
     */
    static long rssBytes(long pid) {
        try {
            for (String line : Files.readAllLines(PROC.resolve(Long.toString(pid)).resolve("status"))) {
                if (line.startsWith("VmRSS:")) {
                    String[] f = line.substring(6).trim().split("\\s+");
                    return Long.parseLong(f[0]) * 1024; // always in kB
                }
            }
        } catch (IOException | RuntimeException e) {
            // exited meanwhile
        }
        return 0;
    }
}
