package dev.hibachi.e2e;

import org.awaitility.core.ConditionTimeoutException;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/**
 * One {@code hibachi agent}, started from the built distribution as a separate OS process. Its output goes to
 * its log file (each start appends, after a marker line). It can be stopped with SIGTERM, killed with
 * SIGKILL (kill -9), and started again on the same data dir and ports.
 */
public final class AgentProcess {
    /** Heap of each agent JVM: five of them share this machine with the tests. */
    static final String DEFAULT_JAVA_OPTS = "-Xmx256m";
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);

    private final AgentSpec spec;
    private final String javaOpts;
    private final HibachiApi api;
    private volatile Process process;
    private int starts;

    AgentProcess(AgentSpec spec, String javaOpts) {
        this.spec = spec;
        this.javaOpts = javaOpts;
        this.api = new HibachiApi(URI.create("http://" + spec.httpAddress()));
    }

    public String name() {
        return spec.name();
    }

    public AgentSpec spec() {
        return spec;
    }

    public HibachiApi api() {
        return api;
    }

    public boolean alive() {
        Process p = process;
        return p != null && p.isAlive();
    }

    public long pid() {
        Process p = process;
        if (p == null) {
            throw new IllegalStateException(name() + " was never started");
        }
        return p.pid();
    }

    /** Starts the process; returns at once (see {@link #awaitHealthy}). */
    public synchronized void start() {
        if (alive()) {
            throw new IllegalStateException(name() + " is already running (pid " + pid() + ")");
        }
        List<String> command = new ArrayList<>();
        command.add(Distribution.launcher().toString());
        command.addAll(spec.arguments());
        try {
            Files.createDirectories(spec.logFile().getParent());
            Files.createDirectories(spec.dataDir().getParent());
            starts++;
            Files.writeString(spec.logFile(), "=== e2e: start " + starts + " at " + Instant.now() + ": JAVA_OPTS="
                            + javaOpts + " " + String.join(" ", command) + System.lineSeparator(),
                    StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            ProcessBuilder pb = new ProcessBuilder(command)
                    .directory(spec.dataDir().getParent().toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(spec.logFile().toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            pb.environment().put("JAVA_OPTS", javaOpts);
            spec.encrypt().ifPresent(key -> pb.environment().put("HIBACHI_ENCRYPT", key));
            process = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name(), e);
        }
        LiveAgents.add(this);
    }

    /**
     * Waits until {@code GET /health} answers 200. Fails at once, with the tail of the agent's log, if the
     * process exits first, and likewise when the time is up.
     */
    public void awaitHealthy(Duration timeout) {
        Process p = process;
        try {
            await("health of " + name()).atMost(timeout).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(50))
                    .until(() -> {
                        if (!p.isAlive()) {
                            throw new AssertionError(name() + " exited with status " + p.exitValue()
                                    + " before it was healthy" + logTailSection());
                        }
                        return api.healthy();
                    });
        } catch (ConditionTimeoutException e) {
            throw new AssertionError(name() + " was not healthy within " + timeout.toSeconds() + " s"
                    + logTailSection(), e);
        }
    }

    /** Starts the agent again on its data dir and ports, and waits until it is healthy. */
    public void restart(Duration timeout) {
        start();
        awaitHealthy(timeout);
    }

    /**
     * SIGTERM, then waits for the process to end; answers how long that took. An agent that does not end
     * within 60 s is killed (with its children) and reported.
     */
    public Duration stop() {
        Process p = process;
        if (p == null || !p.isAlive()) {
            return Duration.ZERO;
        }
        long t0 = System.nanoTime();
        p.destroy(); // SIGTERM on Linux
        try {
            if (!p.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                String tail = logTailSection();
                killWithChildren();
                throw new AssertionError(name() + " did not stop within " + STOP_TIMEOUT.toSeconds()
                        + " s of SIGTERM; killed" + tail);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        LiveAgents.remove(this);
        return Duration.ofNanos(System.nanoTime() - t0);
    }

    /**
     * kill -9 of the agent's JVM alone: its jobs' processes are left to the agent's own reaper, as after a
     * real crash.
     */
    public void kill() {
        Process p = process;
        if (p == null) {
            return;
        }
        p.destroyForcibly(); // SIGKILL
        awaitExit(p);
        LiveAgents.remove(this);
    }

    /** Cleanup: kill -9 of the agent and of every process under it, so that nothing outlives a test run. */
    void killWithChildren() {
        Process p = process;
        if (p == null) {
            return;
        }
        // Taken before the kill: once the agent is gone its children belong to init, no longer to it.
        List<ProcessHandle> children = p.descendants().toList();
        p.destroyForcibly();
        children.forEach(ProcessHandle::destroyForcibly);
        awaitExit(p);
        LiveAgents.remove(this);
    }

    private static void awaitExit(Process p) {
        try {
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("process " + p.pid() + " did not end within 30 s of SIGKILL");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * The last {@code lines} lines of the agent's log (all of its starts), without stack frames: the messages
     * are what tells why an agent failed, and a stack trace alone would fill the tail.
     */
    public String logTail(int lines) {
        Path log = spec.logFile();
        if (!Files.exists(log)) {
            return "(no log at " + log + ")";
        }
        try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
            long size = f.length();
            int chunk = (int) Math.min(size, 256 * 1024);
            byte[] bytes = new byte[chunk];
            f.seek(size - chunk);
            f.readFully(bytes);
            List<String> kept = java.util.Arrays.stream(new String(bytes, StandardCharsets.UTF_8).split("\n"))
                    .filter(l -> !l.startsWith("\tat ") && !l.startsWith("\t... ")).toList();
            return String.join("\n", kept.subList(Math.max(0, kept.size() - lines), kept.size())).stripTrailing();
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e + ")";
        }
    }

    String logTailSection() {
        return "\n--- last lines of " + spec.logFile() + " ---\n" + logTail(40) + "\n--- end of " + name() + "'s log ---";
    }

    @Override
    public String toString() {
        return name() + (alive() ? " (pid " + pid() + ")" : " (not running)") + " http " + spec.httpAddress();
    }
}
