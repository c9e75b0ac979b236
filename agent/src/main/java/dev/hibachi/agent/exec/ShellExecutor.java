package dev.hibachi.agent.exec;

import dev.hibachi.store.schedule.GoDuration;

import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dkron's {@code shell} executor. {@code executor_config} keys (all strings):
 *
 * <ul>
 *   <li>{@code command} (required): what to run.
 *   <li>{@code shell}: a Go boolean ({@code 1 t T TRUE true True} / {@code 0 f F FALSE false False},
 *       empty = false). True runs {@code /bin/sh -c <command>}; false splits the command into argv
 *       with {@link ShellWords} (quotes and backslashes, no expansion) and runs it directly.
 *   <li>{@code env}: {@code K=V,K2=V2}, added to the agent's environment (a value cannot contain a
 *       comma, as in Dkron).
 *   <li>{@code cwd}: the working directory (checked when the job runs, not at validation, since it
 *       only has to exist on the nodes that run it).
 *   <li>{@code timeout}: a Go duration ({@code 30s}, {@code 1m30s}, {@code 500ms}); when it elapses
 *       the whole process group gets TERM, then KILL after {@link #TIMEOUT_KILL_GRACE}.
 * </ul>
 * Other keys are ignored. The process also gets {@code ENV_JOB_NAME}, {@code HIBACHI_RUN_ID},
 * {@code HIBACHI_ATTEMPT} and, when the attempt has one, {@code HIBACHI_ARTIFACTS} (its artifacts folder), and
 * stdin from {@code /dev/null}.
 *
 * <p>stdout and stderr are combined into the request's {@link OutputBuffer}, carried by a named pipe
 * (see {@link Fifos}; the JDK's pipe when FIFOs cannot be made). The run completes when the process
 * has exited and its output has ended: a background child that keeps the output open keeps the run
 * open (as in Dkron) until it ends or the timeout kills the group.
 *
 * <p>Each run is started through {@code setsid}, so it leads its own process group and session
 * ({@code pgid == pid}) and a timeout or kill reaches its grandchildren too. Without {@code setsid}
 * (logged once) runs are started directly and a kill reaches the process and the descendants the
 * JVM can see; {@link RunningExecution#processGroup()} is then empty.
 */
public final class ShellExecutor implements Executor {

    private static final Logger log = LoggerFactory.getLogger(ShellExecutor.class);

    public static final String NAME = "shell";

    /** Between TERM and KILL when a job times out. */
    public static final Duration TIMEOUT_KILL_GRACE = Duration.ofSeconds(2);

    private static final AtomicBoolean NO_SETSID_LOGGED = new AtomicBoolean();
    private static final File DEV_NULL = new File("/dev/null");

    /** The parsed configuration. {@code timeout} is null when none is set. */
    record Spec(String command, boolean shell, List<String> argv, Map<String, String> env, String cwd,
                Duration timeout, String timeoutText) {}

    public ShellExecutor() {}

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void validate(Map<String, String> config) throws InvalidExecutorConfigException {
        parse(config);
    }

    static Spec parse(Map<String, String> config) throws InvalidExecutorConfigException {
        if (config == null) {
            config = Map.of();
        }
        String command = config.get("command");
        if (command == null || command.isBlank()) {
            throw new InvalidExecutorConfigException("command", "is required");
        }
        boolean shell = parseBool("shell", config.get("shell"));
        List<String> argv;
        if (shell) {
            argv = List.of("/bin/sh", "-c", command);
        } else {
            try {
                argv = ShellWords.split(command);
            } catch (IllegalArgumentException e) {
                throw new InvalidExecutorConfigException("command", e.getMessage());
            }
            if (argv.isEmpty()) {
                throw new InvalidExecutorConfigException("command", "is empty");
            }
        }
        Map<String, String> env = parseEnv(config.get("env"));
        String cwd = config.get("cwd");
        if (cwd != null && cwd.isBlank()) {
            cwd = null;
        }
        if (cwd != null) {
            try {
                Path.of(cwd);
            } catch (InvalidPathException e) {
                throw new InvalidExecutorConfigException("cwd", "invalid path \"" + cwd + "\"");
            }
        }
        String timeoutText = config.get("timeout");
        Duration timeout = null;
        if (timeoutText != null && !timeoutText.isBlank()) {
            timeoutText = timeoutText.trim();
            try {
                timeout = GoDuration.parse(timeoutText);
            } catch (IllegalArgumentException e) {
                throw new InvalidExecutorConfigException("timeout", e.getMessage()
                        + " (expected a Go duration such as 30s, 1m30s or 500ms)");
            }
            if (timeout.isNegative() || timeout.isZero()) {
                throw new InvalidExecutorConfigException("timeout", "must be positive, got \"" + timeoutText + "\"");
            }
        } else {
            timeoutText = null;
        }
        return new Spec(command, shell, argv, env, cwd, timeout, timeoutText);
    }

    private static boolean parseBool(String key, String v) throws InvalidExecutorConfigException {
        if (v == null || v.isEmpty()) {
            return false;
        }
        return switch (v.trim()) {
            case "1", "t", "T", "TRUE", "true", "True" -> true;
            case "0", "f", "F", "FALSE", "false", "False" -> false;
            default -> throw new InvalidExecutorConfigException(key, "expected true or false, got \"" + v + "\"");
        };
    }

    private static Map<String, String> parseEnv(String env) throws InvalidExecutorConfigException {
        Map<String, String> out = new LinkedHashMap<>();
        if (env == null || env.isBlank()) {
            return out;
        }
        for (String item : env.split(",")) {
            String it = item.trim();
            if (it.isEmpty()) {
                continue;
            }
            int eq = it.indexOf('=');
            if (eq <= 0) {
                throw new InvalidExecutorConfigException("env", "expected K=V[,K2=V2...], got \"" + it + "\"");
            }
            out.put(it.substring(0, eq), it.substring(eq + 1));
        }
        return out;
    }

    @Override
    public RunningExecution start(ExecutionRequest request) {
        OutputBuffer out = request.output() != null ? request.output() : new OutputBuffer();
        String label = "job " + request.jobName() + " run " + request.runId() + "#" + request.attempt();
        try {
            return start(request, out, label);
        } catch (RuntimeException e) {
            log.error("{}: cannot start", label, e);
            return ProcessRun.failedToStart(out, "cannot run job: " + e);
        }
    }

    private RunningExecution start(ExecutionRequest request, OutputBuffer out, String label) {
        Spec spec;
        try {
            spec = parse(request.config());
        } catch (InvalidExecutorConfigException e) {
            return ProcessRun.failedToStart(out, "invalid " + e.getMessage());
        }
        ProcessBuilder pb = new ProcessBuilder()
                .redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(DEV_NULL));
        Map<String, String> env = pb.environment();
        env.putAll(spec.env());
        env.put("ENV_JOB_NAME", String.valueOf(request.jobName()));
        env.put("HIBACHI_RUN_ID", Long.toString(request.runId()));
        env.put("HIBACHI_ATTEMPT", Integer.toString(request.attempt()));
        if (request.artifacts() != null) {
            env.put("HIBACHI_ARTIFACTS", request.artifacts().toString());
        }
        Path cwd = null;
        if (spec.cwd() != null) {
            cwd = Path.of(spec.cwd()).toAbsolutePath();
            if (!Files.isDirectory(cwd)) {
                return ProcessRun.failedToStart(out, "cannot run job: cwd \"" + spec.cwd() + "\" is not a directory");
            }
            pb.directory(cwd.toFile());
        }
        String program = spec.argv().get(0);
        Path located = locate(program, env.get("PATH"), cwd);
        if (located == null) {
            return ProcessRun.failedToStart(out, "cannot run program \"" + program + "\": "
                    + programProblem(program, env.get("PATH"), cwd));
        }
        Path fifo = Fifos.acquire();
        if (fifo != null && PosixSpawn.available()) {
            return spawnNatively(spec, located, env, cwd, fifo, out, label, request.groups());
        }
        List<String> cmd = new ArrayList<>(spec.argv().size() + 1);
        boolean ownGroup = Procs.setsid().isPresent();
        if (ownGroup) {
            cmd.add(Procs.setsid().get());
            cmd.add("--");
        } else if (NO_SETSID_LOGGED.compareAndSet(false, true)) {
            log.warn("setsid not found (/usr/bin/setsid, /bin/setsid): jobs run in the agent's process "
                    + "group, and a kill or timeout reaches only processes the JVM sees as descendants");
        }
        cmd.addAll(spec.argv());
        pb.command(cmd);
        Process process;
        InputStream output = null;
        try {
            if (fifo == null) {
                process = pb.start();
            } else {
                try (RandomAccessFile hold = holdOpen(fifo)) {
                    output = new FileInputStream(fifo.toFile());
                    pb.redirectOutput(ProcessBuilder.Redirect.to(fifo.toFile()));
                    process = pb.start();
                }
            }
        } catch (IOException | RuntimeException e) {
            closeQuietly(output);
            if (fifo != null) {
                Fifos.discard(fifo);
            }
            return ProcessRun.failedToStart(out, "cannot run program \"" + spec.argv().get(0) + "\": " + e.getMessage());
        }
        // setsid execs the command in the same process (the child is not a group leader), so the
        // pid is the new group's id.
        OptionalLong pgid = ownGroup ? OptionalLong.of(process.pid()) : OptionalLong.empty();
        log.debug("{}: started pid {}{}", label, process.pid(), ownGroup ? " in its own process group" : "");
        ProcessRun run = new ProcessRun(label, Child.of(process), pgid, out, request.groups(),
                fifo == null ? process.getInputStream() : output, fifo);
        run.begin(spec.timeout(), spec.timeoutText());
        return run;
    }

    /** The fast path: {@link PosixSpawn}, output to {@code fifo}, in a session whose id is the pid. */
    private static RunningExecution spawnNatively(Spec spec, Path located, Map<String, String> env, Path cwd,
                                                  Path fifo, OutputBuffer out, String label, ProcessGroups groups) {
        String program = spec.argv().get(0);
        InputStream output = null;
        long pid;
        try (RandomAccessFile hold = holdOpen(fifo)) {
            output = new FileInputStream(fifo.toFile());
            pid = PosixSpawn.spawn(located.toString(), spec.argv(), env, cwd, fifo);
        } catch (IOException | RuntimeException e) {
            closeQuietly(output);
            Fifos.discard(fifo);
            return ProcessRun.failedToStart(out, "cannot run program \"" + program + "\": " + e.getMessage());
        }
        log.debug("{}: started pid {} in its own session", label, pid);
        ProcessRun run = new ProcessRun(label, Child.spawned(pid), OptionalLong.of(pid), out, groups, output, fifo);
        run.begin(spec.timeout(), spec.timeoutText());
        return run;
    }

    /**
     * Holding the FIFO open read-write first lets both ends open without blocking: the read end stays
     * ours, the write end becomes the child's stdout and stderr.
     */
    private static RandomAccessFile holdOpen(Path fifo) throws IOException {
        return new RandomAccessFile(fifo.toFile(), "rw");
    }

    private static void closeQuietly(InputStream in) {
        if (in != null) {
            try {
                in.close();
            } catch (IOException ignored) {
                // nothing to do
            }
        }
    }

    /**
     * Why {@code program} cannot be executed, like {@code execvp} would find it ({@code PATH} of the
     * child, default {@code /bin:/usr/bin}; names with a slash relative to the working directory);
     * null when it looks runnable.
     */
    static String programProblem(String program, String path, Path cwd) {
        boolean denied = false;
        for (Path candidate : candidates(program, path, cwd)) {
            String problem = fileProblem(candidate);
            if (problem == null) {
                return null;
            }
            denied |= problem.equals("Permission denied");
        }
        return denied ? "Permission denied" : "No such file or directory";
    }

    /** The file {@code execvp} would run for {@code program} (see {@link #programProblem}); null if none. */
    static Path locate(String program, String path, Path cwd) {
        for (Path candidate : candidates(program, path, cwd)) {
            if (fileProblem(candidate) == null) {
                return candidate;
            }
        }
        return null;
    }

    /** Where {@code execvp} looks for {@code program}, in order. */
    private static List<Path> candidates(String program, String path, Path cwd) {
        List<Path> out = new ArrayList<>();
        if (program.isEmpty()) {
            return out;
        }
        Path base = cwd != null ? cwd : Path.of("").toAbsolutePath();
        try {
            if (program.indexOf('/') >= 0) {
                out.add(base.resolve(program));
                return out;
            }
            for (String d : (path == null ? "/bin:/usr/bin" : path).split(":", -1)) {
                out.add(base.resolve(d.isEmpty() ? "." : d).resolve(program));
            }
        } catch (InvalidPathException e) {
            // a name no file can have: nothing to run
        }
        return out;
    }

    private static String fileProblem(Path p) {
        if (!Files.exists(p)) {
            return "No such file or directory";
        }
        if (!Files.isRegularFile(p) || !Files.isExecutable(p)) {
            return "Permission denied";
        }
        return null;
    }
}
