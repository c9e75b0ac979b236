package dev.hibachi.agent.exec;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tracks the process groups this agent started, on disk, and runs the reaper that kills them when
 * the agent dies.
 *
 * <p><b>On disk.</b> {@code dir} holds one small file per registered group, named by the pgid, with
 * the boot id and the leader's start time (so that {@link #killLeftovers} can tell a group of ours
 * from a reused pid after a reboot). Files are written atomically and not fsynced: a machine crash
 * kills the processes anyway.
 *
 * <p><b>The reaper.</b> {@link #startReaper()} starts {@code /bin/sh} running the
 * {@code reaper.sh} resource (copied to {@code dir/.reaper.sh}; it logs to {@code dir/.reaper.log}),
 * in its own session (via {@code setsid} when available, so neither
 * a job kill nor a terminal's Ctrl-C reaches it), with its stdin a pipe from this JVM. When the JVM
 * dies for any reason the kernel closes the pipe; the reaper then sends TERM to every group still
 * registered in {@code dir}, KILL after {@value #REAPER_GRACE_SECONDS} s, and exits.
 *
 * <p><b>Lifecycle.</b> At agent start: {@code new ProcessGroups(dir)}, then {@link #killLeftovers}
 * (groups of a previous agent that died), then {@link #startReaper()}. At a clean shutdown,
 * {@link #close()} tells the reaper to exit <em>without killing anything</em> (it writes
 * {@code stop} to the pipe, waits for the reaper to exit, so it leaves no zombie). Groups still
 * registered then are left running and their files stay on disk: the caller decides whether to kill
 * its runs before closing; a later agent's {@link #killLeftovers} kills whatever is left.
 */
public final class ProcessGroups implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ProcessGroups.class);

    /** Seconds the reaper waits between TERM and KILL. */
    public static final int REAPER_GRACE_SECONDS = 2;

    private static final String REAPER_LOG = ".reaper.log";
    private static final String REAPER_SCRIPT = ".reaper.sh";

    private final Path dir;
    private final Set<Long> registered = ConcurrentHashMap.newKeySet();
    private final String bootId = Procs.bootId();

    private final Object reaperLock = new Object();
    private Process reaper;
    /** Kept referenced: if it were collected, its cleaner would close the pipe and fire the reaper. */
    private OutputStream reaperPipe;
    private volatile boolean closed;

    /** Uses {@code dir} (created if missing) to record the live process groups. */
    public ProcessGroups(Path dir) {
        this.dir = dir.toAbsolutePath();
        try {
            Files.createDirectories(this.dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create process group directory " + this.dir, e);
        }
    }

    /** The directory holding one file per registered group. */
    public Path dir() {
        return dir;
    }

    /**
     * Starts the reaper companion process, once (later calls do nothing while it runs).
     *
     * @throws UncheckedIOException when it cannot be started
     * @throws IllegalStateException after {@link #close()}
     */
    public void startReaper() {
        synchronized (reaperLock) {
            if (closed) {
                throw new IllegalStateException("closed");
            }
            if (reaper != null && reaper.isAlive()) {
                return;
            }
            String script;
            try (InputStream in = ProcessGroups.class.getResourceAsStream("reaper.sh")) {
                if (in == null) {
                    throw new IllegalStateException("resource reaper.sh is missing");
                }
                script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read reaper.sh", e);
            }
            // Run from a file rather than with -c, so that ps shows a readable command line.
            Path scriptFile = dir.resolve(REAPER_SCRIPT);
            try {
                Path tmp = dir.resolve(REAPER_SCRIPT + ".tmp");
                Files.writeString(tmp, script);
                Files.move(tmp, scriptFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + scriptFile, e);
            }
            List<String> cmd = new ArrayList<>();
            Procs.setsid().ifPresent(cmd::add);
            cmd.addAll(List.of("/bin/sh", scriptFile.toString(), dir.toString(),
                    Integer.toString(REAPER_GRACE_SECONDS)));
            ProcessBuilder pb = new ProcessBuilder(cmd)
                    .directory(dir.toFile())
                    .redirectInput(ProcessBuilder.Redirect.PIPE)
                    // Never a pipe to this JVM: the reaper writes after the JVM is gone.
                    .redirectOutput(ProcessBuilder.Redirect.to(dir.resolve(REAPER_LOG).toFile()))
                    .redirectErrorStream(true);
            Process p;
            try {
                p = pb.start();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start the reaper", e);
            }
            reaper = p;
            reaperPipe = p.getOutputStream();
            log.info("reaper started (pid {}) for process groups in {}", p.pid(), dir);
            p.onExit().thenAccept(exited -> {
                if (!closed) {
                    log.error("the reaper (pid {}) exited unexpectedly with {}; job processes will "
                            + "survive an agent crash until the reaper is started again",
                            exited.pid(), exited.exitValue());
                }
            });
        }
    }

    /** The reaper's pid while it runs. */
    public OptionalLong reaperPid() {
        synchronized (reaperLock) {
            return reaper != null && reaper.isAlive() ? OptionalLong.of(reaper.pid()) : OptionalLong.empty();
        }
    }

    /**
     * Records {@code pgid} as a live group of this agent (in memory and on disk). A failure to write
     * the file is logged, not thrown.
     */
    public void register(long pgid) {
        checkPgid(pgid);
        registered.add(pgid);
        OptionalLong start = Procs.startTime(pgid);
        String content = "boot=" + bootId + "\nstart="
                + (start.isPresent() ? Long.toString(start.getAsLong()) : "") + "\n";
        Path tmp = dir.resolve("." + pgid + ".tmp");
        try {
            Files.writeString(tmp, content);
            Files.move(tmp, file(pgid), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            log.warn("cannot record process group {} in {}: {}; it would survive an agent crash",
                    pgid, dir, e.toString());
        }
    }

    /** Forgets {@code pgid} (in memory and on disk). */
    public void unregister(long pgid) {
        registered.remove(pgid);
        try {
            Files.deleteIfExists(file(pgid));
        } catch (IOException e) {
            log.warn("cannot remove {}: {}", file(pgid), e.toString());
        }
    }

    /** The groups registered by this instance that still have a live (non-zombie) process. */
    public Set<Long> live() {
        Set<Long> groups = Procs.liveGroups();
        Set<Long> out = new TreeSet<>();
        for (Long pgid : registered) {
            if (groups == null ? Procs.signalGroup(pgid, "0") : groups.contains(pgid)) {
                out.add(pgid);
            }
        }
        return Collections.unmodifiableSet(out);
    }

    /**
     * Sends {@code signal} ({@code "TERM"}, {@code "KILL"}, ...) to the whole group {@code pgid}.
     *
     * @return whether it reached at least one process ({@code false} when the group is gone)
     */
    public boolean signal(long pgid, String signal) {
        checkPgid(pgid);
        return Procs.signalGroup(pgid, signal);
    }

    /**
     * At agent start, before {@link #startReaper()}: sends TERM to every group left registered on
     * disk by a previous agent (not registered by this instance) that is still alive, then KILL to
     * those still alive after {@code grace}; removes their files, and the files of groups that are
     * gone. A file from before a reboot, or whose pgid now belongs to an unrelated process (the
     * leader's start time differs), is removed without killing. Blocks for at most about
     * {@code grace} plus 2 s.
     *
     * @return the groups that were alive and were killed
     */
    public Set<Long> killLeftovers(Duration grace) {
        logPreviousReaper();
        Map<Long, Procs.Stat> procs = Procs.scan();
        Set<Long> liveGroups = Procs.liveGroups();
        Set<Long> victims = new TreeSet<>();
        List<Path> stale = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path f : ds) {
                long pgid = parsePgid(f.getFileName().toString());
                if (pgid <= 1 || registered.contains(pgid)) {
                    continue;
                }
                Map<String, String> rec = readRecord(f);
                String boot = rec.getOrDefault("boot", "");
                if (!boot.isEmpty() && !bootId.isEmpty() && !boot.equals(bootId)) {
                    stale.add(f); // from before a reboot
                    continue;
                }
                boolean alive = liveGroups == null ? Procs.signalGroup(pgid, "0") : liveGroups.contains(pgid);
                if (!alive) {
                    stale.add(f);
                    continue;
                }
                Procs.Stat leader = procs == null ? null : procs.get(pgid);
                String start = rec.getOrDefault("start", "");
                if (leader != null && !start.isEmpty() && !start.equals(Long.toString(leader.startTime()))) {
                    log.warn("process group {} recorded in {} now belongs to another process; not killing it",
                            pgid, dir);
                    stale.add(f);
                    continue;
                }
                victims.add(pgid);
            }
        } catch (IOException e) {
            log.warn("cannot list {}: {}", dir, e.toString());
        }
        for (Path f : stale) {
            deleteQuietly(f);
        }
        if (victims.isEmpty()) {
            return Set.of();
        }
        log.warn("killing {} process group(s) left by a previous agent: {}", victims.size(), victims);
        for (long pgid : victims) {
            Procs.signalGroup(pgid, "TERM");
        }
        Set<Long> remaining = awaitGone(victims, grace);
        if (!remaining.isEmpty()) {
            log.warn("process group(s) {} survived TERM for {}; sending KILL", remaining, grace);
            for (long pgid : remaining) {
                Procs.signalGroup(pgid, "KILL");
            }
            remaining = awaitGone(remaining, Duration.ofSeconds(2));
            if (!remaining.isEmpty()) {
                log.error("process group(s) {} still alive after KILL", remaining);
            }
        }
        for (long pgid : victims) {
            deleteQuietly(file(pgid));
        }
        return Collections.unmodifiableSet(victims);
    }

    /**
     * Stops the reaper cleanly without killing anything: writes {@code stop} to its pipe, closes it
     * and waits for the reaper to exit (killing it only if it has not exited within 2 s). Groups still
     * registered keep running and stay recorded on disk. Idempotent.
     */
    @Override
    public void close() {
        synchronized (reaperLock) {
            if (closed) {
                return;
            }
            closed = true;
            if (reaper == null) {
                return;
            }
            try {
                reaperPipe.write("stop\n".getBytes(StandardCharsets.US_ASCII));
                reaperPipe.flush();
            } catch (IOException e) {
                log.debug("reaper pipe: {}", e.toString());
            }
            try {
                reaperPipe.close();
            } catch (IOException ignored) {
                // closing is all we need
            }
            try {
                if (!reaper.waitFor(2, TimeUnit.SECONDS)) {
                    log.warn("reaper (pid {}) did not stop; killing it", reaper.pid());
                    reaper.destroyForcibly();
                    reaper.waitFor(2, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                reaper.destroyForcibly();
            }
            if (!registered.isEmpty()) {
                log.info("closing with process group(s) {} still registered; they keep running", registered);
            }
        }
    }

    /** What the previous agent's reaper did, if it had to act (its log is truncated when a reaper starts). */
    private void logPreviousReaper() {
        Path reaperLog = dir.resolve(REAPER_LOG);
        try {
            if (Files.isRegularFile(reaperLog) && Files.size(reaperLog) > 0) {
                byte[] head;
                try (InputStream in = Files.newInputStream(reaperLog)) {
                    head = in.readNBytes(4096);
                }
                log.warn("the previous agent's reaper acted:\n{}", new String(head, StandardCharsets.UTF_8).trim());
            }
        } catch (IOException e) {
            log.debug("cannot read {}: {}", reaperLog, e.toString());
        }
    }

    private Set<Long> awaitGone(Set<Long> pgids, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Set<Long> remaining = new TreeSet<>(pgids);
        while (true) {
            Set<Long> groups = Procs.liveGroups();
            remaining.removeIf(pg -> groups == null ? !Procs.signalGroup(pg, "0") : !groups.contains(pg));
            if (remaining.isEmpty() || System.nanoTime() - deadline >= 0) {
                return remaining;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return remaining;
            }
        }
    }

    private Path file(long pgid) {
        return dir.resolve(Long.toString(pgid));
    }

    private static long parsePgid(String name) {
        if (name.isEmpty() || name.length() > 18) {
            return -1;
        }
        for (int i = 0; i < name.length(); i++) {
            if (name.charAt(i) < '0' || name.charAt(i) > '9') {
                return -1;
            }
        }
        return Long.parseLong(name);
    }

    private static Map<String, String> readRecord(Path f) {
        Map<String, String> rec = new java.util.HashMap<>();
        try {
            for (String line : Files.readAllLines(f)) {
                int eq = line.indexOf('=');
                if (eq > 0) {
                    rec.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
                }
            }
        } catch (IOException | RuntimeException e) {
            // an empty or unreadable record: judged on liveness alone
        }
        return rec;
    }

    private static void deleteQuietly(Path f) {
        try {
            Files.deleteIfExists(f);
        } catch (IOException e) {
            log.warn("cannot remove {}: {}", f, e.toString());
        }
    }

    private static void checkPgid(long pgid) {
        if (pgid <= 1) {
            throw new IllegalArgumentException("not a process group id: " + pgid);
        }
    }
}
