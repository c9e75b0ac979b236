package dev.hibachi.agent;

import dev.hibachi.agent.cluster.Member;
import dev.hibachi.agent.cluster.Membership;
import dev.hibachi.agent.dispatch.TargetSelector;
import dev.hibachi.agent.exec.ErrorPattern;
import dev.hibachi.agent.exec.InvalidExecutorConfigException;
import dev.hibachi.agent.process.InvalidProcessorConfigException;
import dev.hibachi.agent.process.ProcessorRegistry;
import dev.hibachi.agent.run.ExecutorRegistry;
import dev.hibachi.store.apply.Reply;
import dev.hibachi.store.command.Command;
import dev.hibachi.store.model.ClusterSettings;
import dev.hibachi.store.model.Execution;
import dev.hibachi.store.model.Job;
import dev.hibachi.store.model.JobValidator;
import dev.hibachi.store.model.Run;
import dev.hibachi.store.model.Target;
import dev.hibachi.store.query.ExecutionList;
import dev.hibachi.store.query.Query;
import dev.hibachi.store.raft.ReadConsistency;
import dev.hibachi.store.raft.StoreClient;
import dev.hibachi.store.raft.StoreUnavailableException;

import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * What users do with jobs, whatever the front door: every write is checked here first (so a bad job is
 * answered at once and nothing is proposed), then proposed to the store, which checks it again and decides.
 * Replies carry HTTP-like statuses ({@link Reply}); an unreachable store is a {@link StoreUnavailableException}.
 */
public final class JobService {
    private final StoreClient client;
    private final ExecutorRegistry executors;
    private final ProcessorRegistry processors;
    private final Membership membership;
    private final TargetSelector selector;
    private final Clock clock;
    private final Duration timeout;
    private volatile ClusterSettings settings;

    public JobService(StoreClient client, ExecutorRegistry executors, ProcessorRegistry processors,
                      Membership membership, TargetSelector selector, Clock clock, Duration timeout) {
        this.client = client;
        this.executors = executors;
        this.processors = processors;
        this.membership = membership;
        this.selector = selector;
        this.clock = clock;
        this.timeout = timeout;
    }

    public Reply putJob(Job job) throws StoreUnavailableException {
        Reply refused = check(job);
        if (refused != null) {
            return refused;
        }
        return client.submit(new Command.PutJob(clock.instant(), job), timeout);
    }

    /**
     * {@link #putJob}'s checks and the store's, without the write: the job as it would be stored, or the refusal
     * a put would get (see {@link JobDryRun}).
     */
    public Reply dryRun(Job job) throws StoreUnavailableException {
        Reply refused = check(job);
        if (refused != null) {
            return refused;
        }
        return new JobDryRun(client, timeout).decide(job, defaultZone(), clock.instant());
    }

    /**
     * Dkron's restore: writes every job of {@code jobs}, parents before children, after checking them all; a
     * bad job, a cycle or a parent that is neither in the set nor in the store refuses the whole set (400/404)
     * with nothing written. Then each job is written on its own; the reply lists, in order,
     * {@code "success create NAME"} or {@code "fail create NAME: why"}, as Dkron's does.
     */
    public Reply restore(List<Job> jobs) throws StoreUnavailableException {
        Set<String> names = new HashSet<>();
        for (Job job : jobs) {
            Reply refused = check(job);
            if (refused != null) {
                return Reply.refused(refused.status(), "job " + job.name() + ": " + refused.error(), refused.field());
            }
            if (!names.add(job.name())) {
                return Reply.refused(400, "job " + job.name() + " is given twice", "name");
            }
        }
        for (Job job : jobs) {
            if (job.isChild() && !names.contains(job.parentJob())
                    && !job(job.parentJob(), ReadConsistency.LINEARIZABLE).ok()) {
                return Reply.refused(404, "job " + job.name() + ": specified parent job not found: "
                        + job.parentJob(), "parent_job");
            }
        }
        List<Job> ordered;
        try {
            ordered = ParentsFirst.order(jobs);
        } catch (ParentsFirst.CycleException e) {
            return Reply.refused(400, e.getMessage(), "parent_job");
        }
        List<String> results = new ArrayList<>();
        for (Job job : ordered) {
            Reply r = client.submit(new Command.PutJob(clock.instant(), job), timeout);
            results.add(r.ok() ? "success create " + job.name() : "fail create " + job.name() + ": " + r.error());
        }
        return Reply.ok(results);
    }

    /** What the store would refuse of {@code job} on its own, answered here without a proposal; null if fine. */
    private Reply check(Job job) throws StoreUnavailableException {
        try {
            JobValidator.validate(job, defaultZone());
        } catch (JobValidator.InvalidJobException e) {
            return Reply.refused(400, e.getMessage(), e.field());
        }
        String executor = job.executor() == null ? "" : job.executor();
        var found = executors.get(executor);
        if (found.isEmpty() && (executor.isEmpty() || !aliveMembersRun(executor))) {
            Set<String> known = new TreeSet<>(executors.names());
            membership.members().stream().filter(Member::alive).forEach(m -> known.addAll(m.executors()));
            return Reply.refused(400, executor.isEmpty() ? "executor is required (one of " + known + ")"
                    : "unknown executor \"" + executor + "\" (known: " + known + ")", "executor");
        }
        Map<String, String> config = job.executorConfig() == null ? Map.of() : job.executorConfig();
        try {
            if (found.isPresent()) {
                found.get().validate(config);
            }
            // Every executor's, so checked even where the executor itself is only on other members.
            ErrorPattern.validate(config);
        } catch (InvalidExecutorConfigException e) {
            return Reply.refused(400, e.getMessage(), "executor_config");
        }
        try {
            processors.validate(job.processors());
        } catch (InvalidProcessorConfigException e) {
            return Reply.refused(400, e.getMessage(), e.field());
        }
        return null;
    }

    /**
     * Whether an alive member announces {@code executor}: a plugin may live on some members only. Its config is
     * then checked only where it runs (a run on a member without it fails, saying so).
     */
    private boolean aliveMembersRun(String executor) {
        return membership.members().stream().anyMatch(m -> m.alive() && m.executors().contains(executor));
    }

    public Reply deleteJob(String name) throws StoreUnavailableException {
        return client.submit(new Command.DeleteJob(clock.instant(), name), timeout);
    }

    /** Clears a job's executions, misses and counters; the reply holds the job as it is then. */
    public Reply deleteExecutions(String name) throws StoreUnavailableException {
        return client.submit(new Command.DeleteExecutions(clock.instant(), name), timeout);
    }

    public Reply toggleJob(String name) throws StoreUnavailableException {
        return client.submit(new Command.ToggleJob(clock.instant(), name), timeout);
    }

    /**
     * Starts a run now: its targets are chosen here and committed with the plan; the reply comes as soon as
     * the plan is committed, with the job and the run's id.
     */
    public Reply runNow(String name) throws StoreUnavailableException {
        Reply found = job(name, ReadConsistency.LINEARIZABLE);
        if (!found.ok()) {
            return found;
        }
        Job job = found.valueAs(Job.class);
        if (job.disabled()) {
            return Reply.refused(409, "job " + name + " is disabled; enable it to run it", null);
        }
        List<Target> targets = selector.select(job.tags(), membership.members());
        var run = new Command.PlannedRun(name, 0, clock.instant(), null, Run.Trigger.MANUAL, targets,
                targets.isEmpty() ? "no alive member matches the job's tags " + job.tags() : null);
        Reply planned = client.submit(new Command.PlanRuns(clock.instant(), List.of(run), List.of()), timeout);
        if (!planned.ok()) {
            return planned;
        }
        var verdict = planned.value().path("runs").path(0);
        if (!verdict.path("accepted").asBoolean()) {
            return Reply.refused(409, verdict.path("reason").asText("the run was refused"), null);
        }
        return Reply.ok(Map.of("job", job, "run_id", verdict.path("run_id").asLong()));
    }

    /** Where a run stands: over or not, its status, and its executions (every attempt on every member) so far. */
    public record RunOutcome(long runId, boolean over, String status, List<Execution> executions) {
    }

    /**
     * Completes once run {@code runId} of {@code job} is over (its last attempt is final), or at {@code deadline}
     * (a {@link System#nanoTime()}) with where it stands then. It asks the store every 50 ms at first, then less
     * often (up to every second): the run's record goes in the very entry that writes its last execution.
     */
    public CompletableFuture<RunOutcome> awaitRun(String job, long runId, long deadline) {
        return awaitRun(job, runId, deadline, Duration.ofMillis(50));
    }

    private CompletableFuture<RunOutcome> awaitRun(String job, long runId, long deadline, Duration poll) {
        return client.query(new Query.GetRun(job, runId)).thenCompose(open -> {
            if (!open.ok() && !Integer.valueOf(404).equals(open.status())) {
                return CompletableFuture.failedFuture(new StoreUnavailableException(open.error(), null));
            }
            long left = deadline - System.nanoTime();
            if (open.ok() && left > 0) {
                long sleep = Math.min(poll.toNanos(), left);
                Duration longer = Duration.ofMillis(Math.min(1000, poll.toMillis() * 3 / 2));
                return CompletableFuture.supplyAsync(() -> null,
                                CompletableFuture.delayedExecutor(sleep, TimeUnit.NANOSECONDS))
                        .thenCompose(ignored -> awaitRun(job, runId, deadline, longer));
            }
            return client.query(Query.ListExecutions.newest(job, -1, -1)).thenApply(listed -> {
                List<Execution> executions = listed.ok() ? listed.valueAs(ExecutionList.class).executions()
                        : List.of();
                List<Execution> ofRun = executions.stream().filter(e -> e.group() == runId)
                        .sorted(Comparator.comparing(Execution::nodeName).thenComparingInt(Execution::attempt))
                        .toList();
                return new RunOutcome(runId, !open.ok(), open.ok() ? Execution.RUNNING : statusOf(ofRun), ofRun);
            });
        });
    }

    /** Dkron's status of a finished group, over each member's final attempt. */
    private static String statusOf(List<Execution> executions) {
        Map<String, Execution> last = new TreeMap<>();
        for (Execution e : executions) {
            last.merge(e.nodeName(), e, (a, b) -> a.attempt() >= b.attempt() ? a : b);
        }
        long ok = last.values().stream().filter(Execution::success).count();
        return ok == last.size() && ok > 0 ? Execution.SUCCEEDED : ok == 0 ? Execution.FAILED : "partially_failed";
    }

    /**
     * Asks to kill one execution ({@code runId-attempt-node}) of {@code job}, on behalf of {@code by}. The store
     * decides (404 unknown, 409 already finished; a queued run or a pending retry is closed at once); the
     * reply's value carries the store's {@code outcome}. A running attempt is killed by its member once the
     * leader has told it; the result is then recorded as {@code killed}.
     */
    public Reply kill(String job, String executionId, String by) throws StoreUnavailableException {
        var ref = Execution.parseId(executionId);
        if (ref.isEmpty()) {
            return Reply.refused(404, "execution " + executionId + " of job " + job + " not found", null);
        }
        Execution.Ref r = ref.get();
        return client.submit(new Command.RequestKill(clock.instant(), job, r.runId(), r.attempt(), r.node(), by),
                timeout);
    }

    public Reply job(String name, ReadConsistency consistency) throws StoreUnavailableException {
        return read(new Query.GetJob(name), consistency);
    }

    /** A page of jobs; the reply's value is a {@link dev.hibachi.store.query.JobList}. */
    public Reply jobs(Query.ListJobs listing, ReadConsistency consistency) throws StoreUnavailableException {
        return read(listing, consistency);
    }

    /** A page of a job's executions; the reply's value is an {@link ExecutionList}. */
    public Reply executions(Query.ListExecutions listing, ReadConsistency consistency)
            throws StoreUnavailableException {
        return read(listing, consistency);
    }

    /** The newest {@code limit} executions of {@code job}, as {@link #executions(Query.ListExecutions, ReadConsistency)}. */
    public Reply executions(String job, int limit, int outputLimit, ReadConsistency consistency)
            throws StoreUnavailableException {
        return executions(Query.ListExecutions.newest(job, limit, outputLimit), consistency);
    }

    public Reply execution(String job, String id, ReadConsistency consistency) throws StoreUnavailableException {
        return read(new Query.GetExecution(job, id), consistency);
    }

    /** An execution's artifacts, as {@link dev.hibachi.store.model.ArtifactFile}s in path order. */
    public Reply artifacts(String job, String id, ReadConsistency consistency) throws StoreUnavailableException {
        return read(new Query.ListArtifacts(job, id), consistency);
    }

    /** One artifact of an execution: {@code {"path", "size", "data"}}, data in base64. */
    public Reply artifact(String job, String id, String path, ReadConsistency consistency)
            throws StoreUnavailableException {
        return read(new Query.GetArtifact(job, id, path), consistency);
    }

    public Reply misses(String job, int limit, ReadConsistency consistency) throws StoreUnavailableException {
        return read(new Query.ListMisses(job, limit), consistency);
    }

    public Reply openRuns() throws StoreUnavailableException {
        return read(new Query.ListOpenRuns(), ReadConsistency.LINEARIZABLE);
    }

    /** The oldest pending notification intents (at most the query's limit), with the count of all pending. */
    public Reply pendingNotices() throws StoreUnavailableException {
        return read(new Query.ListPendingNotices(null, 0), ReadConsistency.LINEARIZABLE);
    }

    /** The attempts running now, in every job, oldest start first (Dkron's busy list). */
    public Reply running(ReadConsistency consistency) throws StoreUnavailableException {
        return read(new Query.ListRunning(), consistency);
    }

    /** Finished attempts per UTC day, for the {@code days} days up to today (this agent's date), oldest first. */
    public Reply stats(int days, ReadConsistency consistency) throws StoreUnavailableException {
        return read(new Query.GetStats(days, LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC)), consistency);
    }

    /** How many jobs there are, in all, disabled, and enabled by status ({@link Query.CountJobs}). */
    public Reply jobCounts(ReadConsistency consistency) throws StoreUnavailableException {
        return read(new Query.CountJobs(), consistency);
    }

    public Reply pause(ReadConsistency consistency) throws StoreUnavailableException {
        return read(new Query.GetPause(), consistency);
    }

    /** Pauses ({@code true}) or resumes new job submissions, for the whole cluster. */
    public Reply setPaused(boolean paused) throws StoreUnavailableException {
        return client.submit(new Command.SetPaused(clock.instant(), paused), timeout);
    }

    private Reply read(Query query, ReadConsistency consistency) throws StoreUnavailableException {
        return client.query(query, consistency, timeout);
    }

    /** The cluster's default zone: where a job without its own timezone is scheduled. */
    public ZoneId defaultZone() throws StoreUnavailableException {
        ClusterSettings s = settings;
        if (s == null) {
            Reply r = client.query(new Query.GetSettings(), timeout);
            if (!r.ok()) {
                throw new StoreUnavailableException(r.error(), null);
            }
            s = r.valueAs(ClusterSettings.class);
            settings = s;
        }
        return ZoneId.of(s.defaultZone());
    }
}
