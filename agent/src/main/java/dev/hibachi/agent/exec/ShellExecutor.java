package dev.hibachi.agent.exec;

import dev.hibachi.store.schedule.GoDuration;

import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
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
 *   <li>{@code payload}: standard base64; the decoded bytes (at most {@link PayloadWriter#MAX_BYTES})
 *       are written to the process's stdin, which is then closed. Without it stdin is {@code /dev/null}.
 *   <li>{@code mem_limit}: a size as Dkron takes it ({@code 1024}, {@code 512MB}, {@code 1.5GiB}; see
 *       {@link ByteSize}; {@code 0} = none). Every second the resident memory of the run's processes is
 *       summed ({@link MemoryWatch}); past the limit the group is killed as on a timeout and the output
 *       ends with a line giving the limit and the size measured.
 *   <li>{@code su}: {@code user} or {@code user:group} (names or ids) to run as, with that user's
 *       {@code HOME}, {@code USER} and {@code LOGNAME} (see {@link RunAs}). Only its form is checked at
 *       validation; an unknown user or group, or an agent that is not root asked for another user, fails
 *       the run when it starts.
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

    /**
     * The parsed configuration. {@code timeout}, {@code payload}, {@code memLimitText} and {@code su} are
     * null when not set; {@code memLimit} is then 0.
     */
    record Spec(String command, boolean shell, List<String> argv, Map<String, String> env, String cwd,
                Duration timeout, String timeoutText, byte[] payload, long memLimit, String memLimitText,
                String su) {}

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
        String payloadText = config.get("payload");
        byte[] payload = payloadText == null || payloadText.isEmpty() ? null : PayloadWriter.decode(payloadText);
        String memLimitText = config.get("mem_limit");
        long memLimit = 0;
        if (memLimitText != null && !memLimitText.isBlank()) {
            memLimitText = memLimitText.trim();
            try {
                memLimit = ByteSize.parse(memLimitText);
            } catch (IllegalArgumentException e) {
                throw new InvalidExecutorConfigException("mem_limit", e.getMessage());
            }
        }
        if (memLimit == 0) {
            memLimitText = null; // "0" is no limit, as in Dkron
        }
        String su = config.get("su");
        if (su != null && su.isEmpty()) {
            su = null;
        }
        if (su != null) {
            RunAs.checkSyntax(su);
        }
        return new Spec(command, shell, argv, env, cwd, timeout, timeoutText, payload, memLimit, memLimitText, su);
    }

    private static boolean parseBool(String key, String v) throws InvalidExecutorConfigException {
        return GoBool.parse(v).orElseThrow(() -> new InvalidExecutorConfigException(key, GoBool.problem(v)));
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
        Map<String, String> env = new LinkedHashMap<>(System.getenv());
        env.putAll(spec.env());
        env.put("ENV_JOB_NAME", String.valueOf(request.jobName()));
        env.put("HIBACHI_RUN_ID", Long.toString(request.runId()));
        env.put("HIBACHI_ATTEMPT", Integer.toString(request.attempt()));
        RunAs runAs = null;
        if (spec.su() != null) {
            try {
                runAs = RunAs.resolve(spec.su()).orElse(null);
            } catch (IllegalArgumentException e) {
                return ProcessRun.failedToStart(out, "cannot run job: " + e.getMessage());
            }
            if (runAs != null) {
                runAs.putEnv(env);
            }
        }
        if (request.artifacts() != null) {
            env.put("HIBACHI_ARTIFACTS", request.artifacts().toString());
            if (runAs != null) {
                try {
                    // The job's user writes there; the agent (root) still reads and deletes it afterwards.
                    Files.setAttribute(request.artifacts(), "unix:uid", runAs.uid());
                    Files.setAttribute(request.artifacts(), "unix:gid", runAs.gid());
                } catch (IOException | UnsupportedOperationException e) {
                    return ProcessRun.failedToStart(out, "cannot run job: cannot give the artifacts folder to "
                            + runAs.userName() + ": " + e.getMessage());
                }
            }
        }
        Path cwd = null;
        if (spec.cwd() != null) {
            cwd = Path.of(spec.cwd()).toAbsolutePath();
            if (!Files.isDirectory(cwd)) {
                return ProcessRun.failedToStart(out, "cannot run job: cwd \"" + spec.cwd() + "\" is not a directory");
            }
        }
        String program = spec.argv().get(0);
        Path located = locate(program, env.get("PATH"), cwd);
        if (located == null) {
            return ProcessRun.failedToStart(out, "cannot run program \"" + program + "\": "
                    + programProblem(program, env.get("PATH"), cwd));
        }
        List<String> argv = spec.argv();
        if (runAs != null) {
            argv = new ArrayList<>(runAs.argvPrefix());
            argv.addAll(spec.argv());
            located = Path.of(argv.get(0));
        }
        Path fifo = Fifos.acquire();
        PosixSpawn.InputPipe stdin = null;
        try {
            if (fifo != null && runAs != null) {
                Fifos.lend(fifo, runAs.uid(), runAs.gid());
            }
            if (spec.payload() != null && PosixSpawn.pipesAvailable()) {
                stdin = PosixSpawn.InputPipe.open(runAs != null ? runAs.uid() : -1, runAs != null ? runAs.gid() : -1);
            }
        } catch (IOException | RuntimeException e) {
            if (fifo != null) {
                Fifos.discard(fifo);
            }
            return ProcessRun.failedToStart(out, "cannot run job: cannot set up its pipes: " + e.getMessage());
        }
        Launch launch = new Launch(spec, argv, env, cwd, fifo, stdin, out, label, request.groups());
        if (fifo != null && PosixSpawn.available()) {
            return spawnNatively(launch, located);
        }
        return spawnWithProcessBuilder(launch);
    }

    /**
     * What a start needs once checked: the argv to run (after any {@code setpriv}), the output FIFO (null:
     * the JDK's pipe), the stdin pipe (null: {@code /dev/null}, or the JDK's pipe for a payload without
     * the C library), where output goes.
     */
    private record Launch(Spec spec, List<String> argv, Map<String, String> env, Path cwd, Path fifo,
                          PosixSpawn.InputPipe stdin, OutputBuffer out, String label, ProcessGroups groups) {
        /** After a failed start. */
        void release() {
            if (fifo != null) {
                Fifos.discard(fifo);
            }
            if (stdin != null) {
                stdin.close();
            }
        }
    }

    /** The fallback: {@link ProcessBuilder}, through {@code setsid} when there is one. */
    private static RunningExecution spawnWithProcessBuilder(Launch launch) {
        Spec spec = launch.spec();
        Path fifo = launch.fifo();
        ProcessBuilder pb = new ProcessBuilder().redirectErrorStream(true);
        pb.environment().clear();
        pb.environment().putAll(launch.env());
        if (launch.cwd() != null) {
            pb.directory(launch.cwd().toFile());
        }
        if (launch.stdin() != null) {
            pb.redirectInput(ProcessBuilder.Redirect.from(launch.stdin().readFile()));
        } else if (spec.payload() != null) {
            pb.redirectInput(ProcessBuilder.Redirect.PIPE);
        } else {
            pb.redirectInput(ProcessBuilder.Redirect.from(DEV_NULL));
        }
        List<String> cmd = new ArrayList<>(launch.argv().size() + 2);
        boolean ownGroup = Procs.setsid().isPresent();
        if (ownGroup) {
            cmd.add(Procs.setsid().get());
            cmd.add("--");
        } else if (NO_SETSID_LOGGED.compareAndSet(false, true)) {
            log.warn("setsid not found (/usr/bin/setsid, /bin/setsid): jobs run in the agent's process "
                    + "group, and a kill or timeout reaches only processes the JVM sees as descendants");
        }
        cmd.addAll(launch.argv());
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
            launch.release();
            return ProcessRun.failedToStart(launch.out(), "cannot run program \"" + spec.argv().get(0) + "\": "
                    + e.getMessage());
        }
        // setsid execs the command in the same process (the child is not a group leader), so the
        // pid is the new group's id.
        OptionalLong pgid = ownGroup ? OptionalLong.of(process.pid()) : OptionalLong.empty();
        log.debug("{}: started pid {}{}", launch.label(), process.pid(), ownGroup ? " in its own process group" : "");
        ProcessRun run = new ProcessRun(launch.label(), Child.of(process), pgid, launch.out(), launch.groups(),
                fifo == null ? process.getInputStream() : output, fifo);
        run.begin(spec.timeout(), spec.timeoutText());
        if (launch.stdin() != null) {
            feed(run, launch);
        } else if (spec.payload() != null) {
            // The JDK's pipe: closing it would wait for a blocked write (see PayloadWriter).
            PayloadWriter.start(launch.label(), spec.payload(), process.getOutputStream(), false);
        }
        watchMemory(run, launch, process.pid());
        return run;
    }

    /** The fast path: {@link PosixSpawn}, output to the FIFO, in a session whose id is the pid. */
    private static RunningExecution spawnNatively(Launch launch, Path located) {
        Spec spec = launch.spec();
        Path fifo = launch.fifo();
        InputStream output = null;
        long pid;
        try (RandomAccessFile hold = holdOpen(fifo)) {
            output = new FileInputStream(fifo.toFile());
            pid = PosixSpawn.spawn(located.toString(), launch.argv(), launch.env(), launch.cwd(),
                    launch.stdin() == null ? -1 : launch.stdin().readFd(), fifo);
        } catch (IOException | RuntimeException e) {
            closeQuietly(output);
            launch.release();
            return ProcessRun.failedToStart(launch.out(), "cannot run program \"" + spec.argv().get(0) + "\": "
                    + e.getMessage());
        }
        log.debug("{}: started pid {} in its own session", launch.label(), pid);
        ProcessRun run = new ProcessRun(launch.label(), Child.spawned(pid), OptionalLong.of(pid), launch.out(),
                launch.groups(), output, fifo);
        run.begin(spec.timeout(), spec.timeoutText());
        feed(run, launch);
        watchMemory(run, launch, pid);
        return run;
    }

    /**
     * Starts writing the payload to the stdin pipe, once the child has its end; stops the writer when
     * the run completes (see {@link PayloadWriter}).
     */
    private static void feed(ProcessRun run, Launch launch) {
        PosixSpawn.InputPipe stdin = launch.stdin();
        if (stdin == null) {
            return;
        }
        stdin.closeReadEnd();
        PayloadWriter writer = PayloadWriter.start(launch.label(), launch.spec().payload(),
                Channels.newOutputStream(stdin.writer()), true);
        run.completion().thenRun(writer::stop);
    }

    /** Enforces {@code mem_limit}, if set, for the run led by {@code pid}. */
    private static void watchMemory(ProcessRun run, Launch launch, long pid) {
        Spec spec = launch.spec();
        if (spec.memLimit() <= 0) {
            return;
        }
        Runnable unwatch = MemoryWatch.watch(pid, spec.memLimit(), rss -> run.stop(
                "[hibachi: job used " + ByteSize.describe(rss) + " of resident memory, over its mem_limit of "
                        + spec.memLimitText() + " (" + String.format(Locale.ROOT, "%,d", spec.memLimit())
                        + " bytes); its process group was killed]", TIMEOUT_KILL_GRACE));
        run.completion().thenRun(unwatch);
    }

    /**
     * Holding the FIFO open read-write first lets both ends open without blocking: the read end stays
     * ours, the write end becomes the child's stdout and stderr.
     */
    private static RandomAccessFile holdOpen(Path fifo) throws IOException {
        return new RandomAccessFile(fifo.toFile(), "rw");
    }

    private static void closeQuietly(java.io.Closeable in) {
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
