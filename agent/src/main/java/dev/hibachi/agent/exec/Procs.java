package dev.hibachi.agent.exec;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Linux process helpers: {@code /proc} reading, signals to process groups, and where {@code setsid}
 * and {@code kill} live. Zombies count as dead everywhere here: an orphan that was killed stays a
 * zombie forever under an init that does not reap (as in some containers).
 */
final class Procs {

    private static final Logger log = LoggerFactory.getLogger(Procs.class);

    private static final Path PROC = Path.of("/proc");
    private static final Pattern SIGNAL = Pattern.compile("[A-Z0-9]+");

    private static final Optional<String> SETSID = firstExecutable("/usr/bin/setsid", "/bin/setsid");
    private static final Optional<String> KILL = firstExecutable("/bin/kill", "/usr/bin/kill");

    private Procs() {}

    /** One line of {@code /proc/PID/stat}, the fields used here. */
    record Stat(long pid, char state, long ppid, long pgrp, long sid, long startTime) {
        boolean zombie() {
            return state == 'Z' || state == 'X' || state == 'x';
        }
    }

    static Optional<String> setsid() {
        return SETSID;
    }

    private static Optional<String> firstExecutable(String... candidates) {
        for (String c : candidates) {
            Path p = Path.of(c);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }

    static boolean procAvailable() {
        return Files.isReadable(PROC.resolve("self/stat"));
    }

    /** Parses {@code /proc/PID/stat}; empty when the process does not exist. */
    static Optional<Stat> stat(long pid) {
        try {
            return Optional.ofNullable(parseStat(Files.readString(PROC.resolve(Long.toString(pid)).resolve("stat"))));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    static Stat parseStat(String line) {
        int close = line.lastIndexOf(')');
        if (close < 0) {
            return null;
        }
        long pid = Long.parseLong(line.substring(0, line.indexOf(' ')).trim());
        String[] f = line.substring(close + 2).trim().split(" ");
        // f[0] = state (field 3), f[1] = ppid, f[2] = pgrp, f[3] = session, f[19] = starttime (field 22)
        return new Stat(pid, f[0].charAt(0), Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3]),
                Long.parseLong(f[19]));
    }

    /** Whether {@code pid} exists and is not a zombie. */
    static boolean pidAlive(long pid) {
        if (!procAvailable()) {
            return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        }
        return stat(pid).map(s -> !s.zombie()).orElse(false);
    }

    /** The leader's start time in clock ticks since boot, when it exists. */
    static OptionalLong startTime(long pid) {
        return stat(pid).map(s -> OptionalLong.of(s.startTime())).orElse(OptionalLong.empty());
    }

    /** Every non-zombie process, by pid; {@code null} when {@code /proc} cannot be read. */
    static Map<Long, Stat> scan() {
        if (!procAvailable()) {
            return null;
        }
        Map<Long, Stat> all = new HashMap<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(PROC)) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                if (name.isEmpty() || !Character.isDigit(name.charAt(0))) {
                    continue;
                }
                try {
                    Stat s = parseStat(Files.readString(p.resolve("stat")));
                    if (s != null && !s.zombie()) {
                        all.put(s.pid(), s);
                    }
                } catch (IOException | RuntimeException ignored) {
                    // exited meanwhile
                }
            }
        } catch (IOException e) {
            return null;
        }
        return all;
    }

    /** The process groups that have at least one non-zombie member. */
    static Set<Long> liveGroups() {
        Map<Long, Stat> all = scan();
        if (all == null) {
            return null;
        }
        Set<Long> groups = new HashSet<>();
        for (Stat s : all.values()) {
            groups.add(s.pgrp());
        }
        return groups;
    }

    private static final Object CACHE_LOCK = new Object();
    private static Set<Long> cachedGroups;
    private static long cachedAt;

    /**
     * Like {@link #liveGroups()}, but shares one scan of {@code /proc} among callers, so that many
     * runs polling for the end of their groups at once cost one scan per poll: a scan is reused when
     * it started at or after {@code notBeforeNanos} ({@link System#nanoTime()}) and is at most
     * {@code maxAgeMillis} old.
     */
    static Set<Long> liveGroupsSince(long notBeforeNanos, long maxAgeMillis) {
        synchronized (CACHE_LOCK) {
            long now = System.nanoTime();
            if (cachedGroups == null || cachedAt - notBeforeNanos < 0 || now - cachedAt > maxAgeMillis * 1_000_000) {
                cachedGroups = liveGroups();
                cachedAt = now;
            }
            return cachedGroups;
        }
    }

    /** {@link #groupAlive}, from a shared scan (see {@link #liveGroupsSince}). */
    static boolean groupAliveSince(long pgid, long notBeforeNanos, long maxAgeMillis) {
        Set<Long> groups = liveGroupsSince(notBeforeNanos, maxAgeMillis);
        if (groups == null) {
            return signalGroup(pgid, "0");
        }
        return groups.contains(pgid);
    }

    /** Whether the process group {@code pgid} has a non-zombie member. */
    static boolean groupAlive(long pgid) {
        Set<Long> groups = liveGroups();
        if (groups == null) {
            return signalGroup(pgid, "0");
        }
        return groups.contains(pgid);
    }

    /** The contents of {@code /proc/sys/kernel/random/boot_id}, or "" when unknown. */
    static String bootId() {
        try {
            return Files.readString(PROC.resolve("sys/kernel/random/boot_id")).trim();
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    /**
     * Sends {@code signal} ("TERM", "KILL", "0", ...) to every process of group {@code pgid}: with the
     * C library's {@code kill} where {@link PosixSpawn} can, else with {@code kill -s SIGNAL -- -PGID}. Returns whether the signal was delivered to at least one
     * process; "no such process" is a normal {@code false}, any other failure is logged.
     */
    static boolean signalGroup(long pgid, String signal) {
        if (pgid <= 1) {
            throw new IllegalArgumentException("refusing to signal process group " + pgid);
        }
        if (!SIGNAL.matcher(signal).matches()) {
            throw new IllegalArgumentException("bad signal name: " + signal);
        }
        java.util.OptionalInt number = PosixSpawn.signalNumber(signal);
        if (number.isPresent()) {
            try {
                return PosixSpawn.kill(-pgid, number.getAsInt());
            } catch (IllegalStateException e) {
                log.warn("signal {} to process group {} failed: {}", signal, pgid, e.getMessage());
                return false;
            }
        }
        List<String> cmd = KILL.isPresent()
                ? List.of(KILL.get(), "-s", signal, "--", "-" + pgid)
                : List.of("/bin/sh", "-c", "kill -s \"$1\" -- \"$2\"", "hibachi-kill", signal, "-" + pgid);
        try {
            Process p = new ProcessBuilder(cmd)
                    .redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
            String out;
            try (InputStream in = p.getInputStream()) {
                out = new String(in.readNBytes(4096), StandardCharsets.UTF_8).trim();
            }
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                log.warn("kill -s {} -- -{} did not finish in 10 s", signal, pgid);
                return false;
            }
            if (p.exitValue() == 0) {
                return true;
            }
            if (!out.contains("No such process")) {
                log.warn("kill -s {} -- -{} failed (exit {}): {}", signal, pgid, p.exitValue(), out);
            }
            return false;
        } catch (IOException e) {
            log.warn("cannot run kill -s {} -- -{}: {}", signal, pgid, e.toString());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
