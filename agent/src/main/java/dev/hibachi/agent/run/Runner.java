package dev.hibachi.agent.run;

import dev.hibachi.agent.dispatch.DispatchObserver;
import dev.hibachi.agent.dispatch.RunAck;
import dev.hibachi.agent.dispatch.RunOrder;
import dev.hibachi.agent.dispatch.RunTransport;
import dev.hibachi.agent.exec.ErrorPattern;
import dev.hibachi.agent.exec.ExecutionRequest;
import dev.hibachi.agent.exec.ExecutionResult;
import dev.hibachi.agent.exec.Executor;
import dev.hibachi.agent.exec.OutputBuffer;
import dev.hibachi.agent.exec.ProcessGroups;
import dev.hibachi.agent.exec.RunningExecution;
import dev.hibachi.agent.process.ProcessorChain;
import dev.hibachi.store.apply.Reply;
import dev.hibachi.store.command.Command;
import dev.hibachi.store.command.Command.AttemptReport;
import dev.hibachi.store.raft.StoreClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs the attempts the leader orders on this member. For each order: refuse what is addressed to another
 * incarnation, answer repeats from the journal, claim through Raft first what arrives more than
 * {@code claimAfter} late, journal (one fsync) and acknowledge the rest, then spawn them on a small pool.
 * Starts and results go to the store through the {@link Reporter}.
 *
 * <p>On start, attempts a previous run of this agent journaled but never reported are settled: a result
 * that was recorded is reported; an attempt that was still running is reported failed
 * ({@code agent restarted}) after its process group was killed.
 *
 * <p>A kill order (an attempt with {@code kill} set) never starts anything: a running attempt gets TERM to its
 * process group, then KILL after {@code killGrace}; one accepted but still waiting to spawn is claimed from the
 * spawn pool and closed as killed; one never seen here is journaled and closed as killed at once, so a late
 * order to run it is answered from the journal and never runs. Every path ends in a result that closes the
 * attempt; repeats are harmless.
 */
public final class Runner implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Runner.class);
    /** A journal write (with its fsync) this slow delays every start behind it: worth a warning. */
    private static final long SLOW_JOURNAL_MILLIS = 100;

    /**
     * @param maxWaiting attempts accepted but not yet started, at most; beyond it an attempt is closed as failed
     *     at once (see {@link #accept}), so that orders arriving faster than processes can be spawned cannot
     *     grow the heap without bound
     */
    public record Settings(int spawnThreads, Duration claimAfter, int outputBytes, Duration killGrace,
                           int maxWaiting) {
        public static Settings defaults() {
            return new Settings(8, Duration.ofSeconds(2), OutputBuffer.DEFAULT_CAPACITY, Duration.ofSeconds(5),
                    10_000);
        }

        public Settings withSpawnThreads(int value) {
            return new Settings(value, claimAfter, outputBytes, killGrace, maxWaiting);
        }

        public Settings withMaxWaiting(int value) {
            return new Settings(spawnThreads, claimAfter, outputBytes, killGrace, value);
        }

        public Settings withKillGrace(Duration value) {
            return new Settings(spawnThreads, claimAfter, outputBytes, value, maxWaiting);
        }
    }

    private final String node;
    private final String incarnation;
    private final RunJournal journal;
    private final ExecutorRegistry executors;
    private final ProcessorChain processors;
    private final ProcessGroups groups;
    private final Reporter reporter;
    private final RunTransport transport;
    private final StoreClient client;
    private final Clock clock;
    private final DispatchObserver observer;
    private final Settings settings;
    /** Where attempts get their {@code $HIBACHI_ARTIFACTS}; null: they get none. */
    private final ArtifactFolders artifacts;
    private final ExecutorService spawnPool;
    private final Map<String, RunningExecution> running = new ConcurrentHashMap<>();
    /** Launched attempts not finished yet, as live readers see them (their output and, at the end, the result). */
    private final Map<String, LiveRun> live = new ConcurrentHashMap<>();
    /**
     * Accepted attempts handed to the spawn pool and not yet taken by {@link #launch}: whoever removes one (the
     * launch, or a kill) owns it, so an attempt killed while it waits is never spawned.
     */
    private final Map<String, RunOrder.Attempt> waitingToSpawn = new ConcurrentHashMap<>();
    /** Kills asked for attempts not over here, by key: who asked. Read by a launch right after it registers. */
    private final Map<String, String> killRequests = new ConcurrentHashMap<>();
    private final AtomicInteger launching = new AtomicInteger();
    /** Attempts whose late claim is in flight; guarded by {@code this}, as is the journal check-then-write. */
    private final java.util.Set<String> claiming = new java.util.HashSet<>();
    private volatile boolean draining;
    /** The highest leader term seen in an order; guarded by {@code this}. */
    private long highestTerm;

    public Runner(String node, String incarnation, RunJournal journal, ExecutorRegistry executors,
                  ProcessorChain processors, ProcessGroups groups, Reporter reporter, RunTransport transport,
                  StoreClient client, Clock clock, DispatchObserver observer, Settings settings) {
        this(node, incarnation, journal, executors, processors, groups, reporter, transport, client, clock, observer,
                settings, null);
    }

    public Runner(String node, String incarnation, RunJournal journal, ExecutorRegistry executors,
                  ProcessorChain processors, ProcessGroups groups, Reporter reporter, RunTransport transport,
                  StoreClient client, Clock clock, DispatchObserver observer, Settings settings,
                  ArtifactFolders artifacts) {
        this.artifacts = artifacts;
        this.node = node;
        this.incarnation = incarnation;
        this.journal = journal;
        this.executors = executors;
        this.processors = processors;
        this.groups = groups;
        this.reporter = reporter;
        this.transport = transport;
        this.client = client;
        this.clock = clock;
        this.observer = observer;
        this.settings = settings;
        AtomicInteger n = new AtomicInteger();
        this.spawnPool = Executors.newFixedThreadPool(settings.spawnThreads(), r -> {
            Thread t = new Thread(r, "spawn-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        transport.onOrder(this::onOrder);
    }

    /** Settles what a previous run of this agent left in the journal (see the class comment). */
    public void recover() {
        var leftovers = groups.killLeftovers(settings.killGrace());
        if (!leftovers.isEmpty()) {
            LOG.warn("Killed {} process group(s) left by the previous agent: {}", leftovers.size(), leftovers);
        }
        List<RunJournal.Attempt> unreported = journal.unreported();
        if (artifacts != null) {
            // An unreported attempt's folder is collected again with its report; any other was left by an agent
            // that stopped after the report reached the store but before deleting it.
            artifacts.sweep(unreported.stream()
                    .map(a -> artifacts.folder(a.started().job(), a.started().runId(), a.started().attempt()))
                    .collect(java.util.stream.Collectors.toSet()));
        }
        for (RunJournal.Attempt a : unreported) {
            RunJournal.Record s = a.started();
            RunJournal.Record f = a.finished();
            AttemptReport report = f != null
                    ? new AttemptReport(s.job(), s.runId(), s.attempt(), AttemptReport.Phase.FINISHED, f.startedAt(),
                    f.finishedAt(), f.success(), f.exitCode() == null ? -1 : f.exitCode(), f.output(), false)
                    : new AttemptReport(s.job(), s.runId(), s.attempt(), AttemptReport.Phase.FINISHED, s.startedAt(),
                    clock.instant(), false, -1, "failed: agent restarted while the job was running", false);
            reporter.finished(s.incarnation(), s.key(), report);
        }
    }

    private synchronized void onOrder(RunOrder order) {
        // A second defence after the store's own checks (DESIGN.md, the lost member): an order from a leader
        // older than one already heard from is dropped unanswered.
        if (order.term() < highestTerm) {
            LOG.info("Dropping an order from {} of term {}: term {} was seen", order.leader(), order.term(), highestTerm);
            return;
        }
        highestTerm = order.term();
        List<RunAck.Entry> acks = new ArrayList<>();
        List<RunOrder.Attempt> fresh = new ArrayList<>();
        List<RunOrder.Attempt> late = new ArrayList<>();
        Instant now = clock.instant();
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (RunOrder.Attempt a : order.attempts()) {
            String key = a.key();
            if (!seen.add(key)) {
                continue; // the same attempt twice in one order is one attempt
            }
            if (!incarnation.equals(a.incarnation())) {
                acks.add(new RunAck.Entry(key, RunAck.State.REFUSED, "addressed to incarnation " + a.incarnation()
                        + "; this is " + incarnation));
                continue;
            }
            if (a.kill() != null) {
                RunAck.Entry ack = kill(a);
                if (ack != null) {
                    acks.add(ack);
                }
                continue;
            }
            var known = journal.get(key);
            if (claiming.contains(key)) {
                continue; // its claim is in flight; the leader re-sends if it hears nothing
            }
            if (known.isPresent()) {
                acks.add(new RunAck.Entry(key, known.get().state() == RunJournal.State.STARTED
                        ? RunAck.State.RUNNING : RunAck.State.FINISHED, null));
            } else if (draining) {
                acks.add(new RunAck.Entry(key, RunAck.State.REFUSED, "agent is shutting down"));
            } else if (Duration.between(a.notBefore(), now).compareTo(settings.claimAfter()) > 0) {
                late.add(a);
            } else {
                fresh.add(a);
            }
        }
        accept(order.leader(), fresh, acks);
        if (!late.isEmpty()) {
            claimThenRun(order.leader(), late);
        }
    }

    /**
     * Carries out a kill order (see the class comment); the caller holds {@code this}. Answers where the attempt
     * stands here, or null while a late order's claim for it is in flight (that claim's {@link #accept} sees the
     * request and closes the attempt without spawning it).
     */
    private RunAck.Entry kill(RunOrder.Attempt a) {
        String key = a.key();
        String by = a.kill();
        var known = journal.get(key);
        if (known.isPresent() && known.get().state() != RunJournal.State.STARTED) {
            return new RunAck.Entry(key, RunAck.State.FINISHED, null);
        }
        if (known.isEmpty()) {
            if (claiming.contains(key)) {
                killRequests.putIfAbsent(key, by);
                return null;
            }
            Instant now = clock.instant();
            LOG.info("Closing {} as killed at the request of {}: it never started here", key, by);
            journal.started(List.of(startedRecord(a, now)));
            finish(a, now, killedBeforeStart(by));
            return new RunAck.Entry(key, RunAck.State.FINISHED, null);
        }
        // Recorded first: a launch that registers its execution after the look below still sees it.
        killRequests.putIfAbsent(key, by);
        RunningExecution execution = running.get(key);
        if (execution != null) {
            LOG.info("Killing {} at the request of {}", key, by);
            execution.kill(killReason(killRequests.getOrDefault(key, by)), settings.killGrace());
            return new RunAck.Entry(key, RunAck.State.RUNNING, null);
        }
        RunOrder.Attempt waiting = waitingToSpawn.remove(key);
        if (waiting != null) {
            LOG.info("Closing {} as killed at the request of {}: it was still waiting to start", key, by);
            finish(waiting, clock.instant(), killedBeforeStart(killRequests.getOrDefault(key, by)));
            return new RunAck.Entry(key, RunAck.State.FINISHED, null);
        }
        if (journal.get(key).map(j -> j.state() != RunJournal.State.STARTED).orElse(false)) {
            killRequests.remove(key); // it finished meanwhile
            return new RunAck.Entry(key, RunAck.State.FINISHED, null);
        }
        // Being launched (its launch checks the request once registered), or completing on its own.
        return new RunAck.Entry(key, RunAck.State.RUNNING, null);
    }

    private static String killReason(String by) {
        return "killed at the request of " + by;
    }

    private static ExecutionResult killedBeforeStart(String by) {
        return new ExecutionResult(false, -1, "[hibachi: killed before it started, at the request of " + by
                + "]\n", false);
    }

    private RunJournal.Record startedRecord(RunOrder.Attempt a, Instant now) {
        return new RunJournal.Record("started", a.key(), a.job().name(), a.runId(), a.attempt(), incarnation,
                a.scheduledAt(), now, null, null, null, null, now);
    }

    /**
     * Journals, acknowledges and spawns attempts (never one the journal already has). An attempt that finds
     * {@code maxWaiting} others still waiting to start is not queued: it fails at once with the reason, which
     * reaches the store like any result (the leader must not wait for a start that may never come, and a
     * refusal would leave the attempt open while this member stays alive).
     */
    private synchronized void accept(String leader, List<RunOrder.Attempt> candidates, List<RunAck.Entry> acks) {
        List<RunOrder.Attempt> attempts = new ArrayList<>();
        for (RunOrder.Attempt a : candidates) {
            if (journal.get(a.key()).isEmpty()) {
                attempts.add(a);
            }
        }
        List<RunJournal.Record> records = new ArrayList<>();
        Instant now = clock.instant();
        for (RunOrder.Attempt a : attempts) {
            records.add(startedRecord(a, now));
            acks.add(new RunAck.Entry(a.key(), RunAck.State.ACCEPTED, null));
        }
        long journaling = System.nanoTime();
        journal.started(records);
        long tookMillis = (System.nanoTime() - journaling) / 1_000_000;
        if (tookMillis >= SLOW_JOURNAL_MILLIS) {
            LOG.warn("Journaling {} attempt(s) took {} ms; their start waited for it (a slow disk?)", records.size(),
                    tookMillis);
        }
        if (!acks.isEmpty()) {
            transport.sendAck(leader, new RunAck(node, incarnation, acks));
        }
        for (RunOrder.Attempt a : attempts) {
            String killedBy = killRequests.get(a.key());
            if (killedBy != null) {
                // Killed while its late order's claim was in flight: closed, never spawned.
                finish(a, now, killedBeforeStart(killedBy));
                continue;
            }
            int waiting = launching.get();
            if (waiting >= settings.maxWaiting()) {
                LOG.warn("Not starting {}: {} attempts are already waiting to start on this member", a.key(), waiting);
                finish(a, now, new ExecutionResult(false, -1, "[hibachi: not started: " + node + " is overloaded, "
                        + waiting + " attempts were already waiting to start]", false));
                continue;
            }
            launching.incrementAndGet();
            waitingToSpawn.put(a.key(), a);
            spawnPool.execute(() -> launch(a));
        }
    }

    /**
     * A late order may be a re-send racing a verdict that this attempt was lost: the start is committed first,
     * and only what the store accepts is run.
     */
    private void claimThenRun(String leader, List<RunOrder.Attempt> late) {
        late.forEach(a -> claiming.add(a.key()));
        Instant now = clock.instant();
        List<AttemptReport> claims = late.stream().map(a -> new AttemptReport(a.job().name(), a.runId(), a.attempt(),
                AttemptReport.Phase.STARTED, now, null, false, 0, null, false)).toList();
        client.submit(new Command.ReportAttempts(now, node, incarnation, claims)).whenComplete((reply, error) -> {
            synchronized (this) {
                late.forEach(a -> claiming.remove(a.key()));
            }
            List<RunOrder.Attempt> granted = new ArrayList<>();
            List<RunAck.Entry> acks = new ArrayList<>();
            for (int i = 0; i < late.size(); i++) {
                String verdict = verdictOf(reply, error, i);
                if ("accepted".equals(verdict)) {
                    granted.add(late.get(i));
                } else if (verdict != null) {
                    acks.add(new RunAck.Entry(late.get(i).key(), RunAck.State.REFUSED, "claim " + verdict));
                    killRequests.remove(late.get(i).key());
                }
                // No verdict (the store was not reached): no answer, so the leader re-sends and we claim again.
            }
            accept(leader, granted, acks);
        });
    }

    /** The store's verdict on claim {@code i}, or null if the claim did not reach a decision. */
    private static String verdictOf(Reply reply, Throwable error, int i) {
        if (error != null || reply == null || !reply.ok()) {
            return null;
        }
        var verdict = reply.value().path("verdicts").path(i).path("verdict");
        return verdict.isTextual() ? verdict.asText() : null;
    }

    private void launch(RunOrder.Attempt a) {
        try {
            String key = a.key();
            if (waitingToSpawn.remove(key) == null) {
                return; // killed while it waited: the kill closed it
            }
            String killedBy = killRequests.get(key);
            if (killedBy != null) {
                finish(a, clock.instant(), killedBeforeStart(killedBy));
                return;
            }
            Executor executor = executors.get(a.job().executor()).orElse(null);
            Instant started = clock.instant();
            observer.spawning(a, started);
            if (executor == null) {
                finish(a, started, new ExecutionResult(false, -1, "executor \"" + a.job().executor()
                        + "\" is not available on " + node, false));
                return;
            }
            OutputBuffer output = new OutputBuffer(settings.outputBytes());
            ErrorPattern errorPattern = ErrorPattern.of(a.job().executorConfig()).orElse(null);
            if (errorPattern != null) {
                output.watch(errorPattern);
            }
            live.put(key, new LiveRun(a.job().name(), a.runId(), a.attempt(), node, started, output,
                    new java.util.concurrent.CompletableFuture<>()));
            Path folder = artifacts == null ? null : artifacts.create(a.job().name(), a.runId(), a.attempt());
            RunningExecution execution = executor.start(new ExecutionRequest(a.job().name(),
                    a.job().executorConfig(), a.runId(), a.attempt(), output, groups, folder));
            running.put(key, execution);
            // A kill that came between the look above and this registration found nothing to signal.
            String lateKill = killRequests.get(key);
            if (lateKill != null) {
                execution.kill(killReason(lateKill), settings.killGrace());
            }
            reporter.started(incarnation, key, new AttemptReport(a.job().name(), a.runId(), a.attempt(),
                    AttemptReport.Phase.STARTED, started, null, false, 0, null, false));
            execution.completion().thenAccept(result -> {
                running.remove(key);
                finish(a, started, errorPattern == null ? result : errorPattern.judge(result, output));
            });
        } catch (RuntimeException e) {
            LOG.error("Launching {} failed", a.key(), e);
            finish(a, clock.instant(), new ExecutionResult(false, -1, "could not start: " + e, false));
        } finally {
            launching.decrementAndGet();
        }
    }

    private void finish(RunOrder.Attempt a, Instant started, ExecutionResult executed) {
        // Before the journal: a result journaled (and so perhaps re-reported after a restart) was processed once.
        ExecutionResult result = processors.apply(a.job().name(), a.job().processors(), a.runId(), a.attempt(),
                executed);
        Instant finished = clock.instant();
        journal.finished(new RunJournal.Record("finished", a.key(), null, null, null, null, null, started, finished,
                result.success(), result.exitCode(), result.output(), finished));
        // After the journal says finished: a kill recorded later sees that, and drops its own request.
        String killedBy = killRequests.remove(a.key());
        LiveRun ended = live.remove(a.key());
        if (ended != null) {
            ended.result().complete(new LiveRun.Outcome(result, killedBy));
            ended.output().end();
        }
        reporter.finished(incarnation, a.key(), new AttemptReport(a.job().name(), a.runId(), a.attempt(),
                AttemptReport.Phase.FINISHED, started, finished, result.success(), result.exitCode(), result.output(),
                result.outputTruncated()));
        observer.finished(a, started, finished, result.success(), ended != null);
    }

    /** The attempt {@code (job, runId, attempt)} if it runs on this member now. */
    public java.util.Optional<LiveRun> live(String job, long runId, int attempt) {
        return java.util.Optional.ofNullable(live.get(RunOrder.Attempt.key(job, runId, attempt)));
    }

    /** Every attempt running on this member now. */
    public java.util.Collection<LiveRun> liveRuns() {
        return List.copyOf(live.values());
    }

    /** Attempts running on this member now. */
    public int runningCount() {
        return running.size() + launching.get();
    }

    /**
     * Stops taking orders and lets running attempts finish for up to {@code grace}; what still runs then is
     * killed. Results are reported before this returns (bounded by {@code grace} as well).
     */
    public void drain(Duration grace) throws InterruptedException {
        draining = true;
        long deadline = System.nanoTime() + grace.toNanos();
        while (runningCount() > 0 && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(50);
        }
        if (runningCount() > 0) {
            LOG.warn("{} attempt(s) still running after the shutdown grace; killing them", runningCount());
            running.values().forEach(r -> r.kill("agent shutting down", settings.killGrace()));
            long killDeadline = System.nanoTime() + settings.killGrace().plusSeconds(2).toNanos();
            while (runningCount() > 0 && System.nanoTime() < killDeadline) {
                TimeUnit.MILLISECONDS.sleep(50);
            }
        }
        reporter.flush(Duration.ofSeconds(10));
    }

    public void prune() {
        journal.prune(clock.instant());
    }

    @Override
    public void close() {
        spawnPool.shutdownNow();
    }
}
