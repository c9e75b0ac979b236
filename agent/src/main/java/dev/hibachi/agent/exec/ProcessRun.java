package dev.hibachi.agent.exec;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running process, usually leading its own process group: copies its output into the buffer,
 * enforces the timeout, kills the group, and completes once.
 *
 * <p>Completion waits for the process to exit <em>and</em> for the end of its output, read from a
 * FIFO (see {@link Fifos}): a background child still holding the output keeps the run open, as in
 * Dkron. After a timeout or kill, once the group has been killed (TERM, then KILL after the grace)
 * and the leader has exited, it waits at most {@link #DRAIN_MILLIS} more for the end of output and
 * then completes anyway, so a daemon that left the group but holds the output cannot keep the run
 * open; its reader thread stops at the next chunk of output (or its end) and closes the FIFO.
 *
 * <p>Fallback without FIFOs (the JDK's pipe): the JDK closes that pipe when the process exits, so the
 * run also completes at most {@link #JDK_PIPE_DRAIN_MILLIS} after the leader exits.
 */
final class ProcessRun implements RunningExecution {

    private static final Logger log = LoggerFactory.getLogger(ProcessRun.class);

    static final long DRAIN_MILLIS = 500;
    static final long JDK_PIPE_DRAIN_MILLIS = 1000;
    private static final long POLL_MILLIS = 100;

    private final String label;
    private final Child process;
    private final OptionalLong pgid;
    private final OutputBuffer out;
    private final ProcessGroups groups;
    private final InputStream output;
    /** The FIFO carrying the output, or null with the JDK's pipe. */
    private final Path fifo;

    private final CompletableFuture<ExecutionResult> completion = new CompletableFuture<>();
    private final CompletableFuture<Void> readerDone = new CompletableFuture<>();
    /** Completed when a kill has finished: the group is empty or got KILL. */
    private final CompletableFuture<Void> killSettled = new CompletableFuture<>();
    private final Object readerLock = new Object();
    private boolean detached; // guarded by readerLock
    private boolean readerExited; // guarded by readerLock
    private final AtomicReference<String> stopNote = new AtomicReference<>();
    private final AtomicBoolean finished = new AtomicBoolean();
    private volatile ScheduledFuture<?> timeoutTask;

    ProcessRun(String label, Child process, OptionalLong pgid, OutputBuffer out, ProcessGroups groups,
               InputStream output, Path fifo) {
        this.label = label;
        this.process = process;
        this.pgid = pgid;
        this.out = out;
        this.groups = groups;
        this.output = output;
        this.fifo = fifo;
    }

    /** Starts reading, registers the group, arms the timeout. {@code timeoutText} is shown as given. */
    void begin(Duration timeout, String timeoutText) {
        // Registered first: with the JDK's pipe (fallback), the JDK's own exit handler for that pipe
        // can block while our reader is inside read(), and dependents run newest first.
        // A failed wait completes too: finish() then reports it rather than leaving the run open.
        CompletableFuture<Void> exit = process.exit().handle((code, error) -> null);
        if (groups != null && pgid.isPresent()) {
            groups.register(pgid.getAsLong());
        }
        ExecThreads.POOL.execute(this::readOutput);
        CompletableFuture.allOf(exit, readerDone).thenRunAsync(this::finish, ExecThreads.POOL);
        if (fifo == null) {
            exit.thenRun(() -> ExecThreads.later(JDK_PIPE_DRAIN_MILLIS, this::finish));
        }
        if (timeout != null) {
            timeoutTask = ExecThreads.later(Math.max(1, timeout.toMillis()), () -> stop(
                    "[hibachi: job timed out after " + timeoutText + "; its process group was killed]",
                    ShellExecutor.TIMEOUT_KILL_GRACE));
        }
    }

    @Override
    public CompletableFuture<ExecutionResult> completion() {
        return completion;
    }

    @Override
    public void kill(String reason, Duration grace) {
        ExecThreads.POOL.execute(() -> stop("[hibachi: job killed: " + reason + "]", grace));
    }

    @Override
    public OptionalLong processGroup() {
        return pgid;
    }

    private void readOutput() {
        byte[] b = new byte[8192];
        boolean eof = false;
        try (InputStream in = output) {
            int n;
            while ((n = in.read(b)) != -1) {
                synchronized (readerLock) {
                    if (detached) {
                        break;
                    }
                    out.write(b, 0, n);
                }
            }
            eof = n == -1;
        } catch (IOException e) {
            log.debug("{}: output stream: {}", label, e.toString());
        } catch (RuntimeException e) {
            log.error("{}: output reader failed", label, e);
        } finally {
            if (fifo != null) {
                boolean reusable;
                synchronized (readerLock) {
                    readerExited = true;
                    reusable = eof && !detached;
                }
                if (reusable) {
                    Fifos.recycle(fifo); // every writer has closed it and so have we
                } else {
                    Fifos.discard(fifo);
                }
            }
            readerDone.complete(null);
        }
    }

    /**
     * TERM to the group now, KILL after {@code grace} if anything in it is still alive; the run then ends
     * failed, its output ending with {@code note}. The first stop wins; a no-op once finished.
     */
    void stop(String note, Duration grace) {
        if (finished.get() || !stopNote.compareAndSet(null, note)) {
            return;
        }
        ScheduledFuture<?> t = timeoutTask;
        if (t != null) {
            t.cancel(false);
        }
        log.info("{}: {}", label, note);
        signal("TERM");
        long termSentAt = System.nanoTime();
        long deadline = termSentAt + grace.toNanos();
        ExecThreads.later(Math.min(POLL_MILLIS, Math.max(0, grace.toMillis())), () -> awaitGroupGone(termSentAt, deadline));
        killSettled.thenRun(this::drainThenFinish);
    }

    private void awaitGroupGone(long termSentAt, long deadline) {
        try {
            if (!anythingAlive(termSentAt, POLL_MILLIS / 2)) {
                killSettled.complete(null);
                return;
            }
            long left = deadline - System.nanoTime();
            if (left > 0) {
                ExecThreads.later(Math.max(1, Math.min(POLL_MILLIS, left / 1_000_000)), () -> awaitGroupGone(termSentAt, deadline));
                return;
            }
            log.info("{}: still alive after the grace; sending KILL", label);
            signal("KILL");
            killSettled.complete(null);
        } catch (RuntimeException e) {
            log.error("{}: kill failed", label, e);
            killSettled.complete(null);
        }
    }

    /** After a kill: once the leader has exited, give the reader a short while, then complete. */
    private void drainThenFinish() {
        if (finished.get()) {
            return;
        }
        if (process.isAlive()) {
            ExecThreads.later(POLL_MILLIS, this::drainThenFinish);
            return;
        }
        ExecThreads.later(DRAIN_MILLIS, this::finish);
    }

    /**
     * Whether anything of the run is alive, judged by a look at {@code /proc} taken at or after
     * {@code sinceNanos} and at most {@code maxAgeMillis} old.
     */
    private boolean anythingAlive(long sinceNanos, long maxAgeMillis) {
        if (pgid.isPresent()) {
            return process.isAlive() || Procs.groupAliveSince(pgid.getAsLong(), sinceNanos, maxAgeMillis);
        }
        return process.isAlive() || process.descendants().anyMatch(ProcessHandle::isAlive);
    }

    private void signal(String sig) {
        boolean kill = sig.equals("KILL");
        if (pgid.isPresent()) {
            boolean reached = Procs.signalGroup(pgid.getAsLong(), sig);
            // Just after start, the child may not have called setsid() yet: then reach it directly.
            if (!reached && process.isAlive()) {
                process.signal(kill);
            }
            return;
        }
        List<ProcessHandle> all = process.descendants().collect(Collectors.toList());
        process.signal(kill);
        for (ProcessHandle h : all) {
            if (kill) {
                h.destroyForcibly();
            } else {
                h.destroy();
            }
        }
    }

    private void finish() {
        if (!finished.compareAndSet(false, true)) {
            return;
        }
        try {
            ScheduledFuture<?> t = timeoutTask;
            if (t != null) {
                t.cancel(false);
            }
            boolean readerRunning;
            synchronized (readerLock) {
                detached = true;
                readerRunning = !readerExited;
            }
            if (fifo != null && readerRunning) {
                Fifos.discard(fifo); // still open elsewhere: never reuse it
            }
            if (!readerDone.isDone()) {
                log.warn("{}: output still open after its process group was killed (a process left the "
                        + "group?); no longer reading it", label);
            }
            int exitCode = process.exit().join();
            String note = stopNote.get();
            if (note != null) {
                out.appendLine(note);
            }
            boolean success = note == null && exitCode == 0;
            ExecutionResult result = new ExecutionResult(success, exitCode, out.text(), out.truncated());
            if (groups != null && pgid.isPresent()) {
                long pg = pgid.getAsLong();
                if (note != null && !killSettled.isDone() && anythingAlive(System.nanoTime(), 0)) {
                    killSettled.thenRun(() -> groups.unregister(pg));
                } else {
                    groups.unregister(pg);
                }
            }
            log.debug("{}: finished, exit code {}, success {}", label, exitCode, success);
            completion.complete(result);
        } catch (RuntimeException e) {
            log.error("{}: completing failed", label, e);
            completion.complete(new ExecutionResult(false, ExecutionResult.NO_EXIT_CODE,
                    out.text() + "\n[hibachi: internal error: " + e + "]\n", out.truncated()));
        }
    }

    /** A run that could not start: already complete, with {@code message} in its output. */
    static RunningExecution failedToStart(OutputBuffer out, String message) {
        out.appendLine("[hibachi: " + message + "]");
        return RunningExecution.finished(
                new ExecutionResult(false, ExecutionResult.NO_EXIT_CODE, out.text(), out.truncated()));
    }
}
