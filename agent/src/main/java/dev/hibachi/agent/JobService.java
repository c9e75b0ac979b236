package dev.hibachi.agent;

import dev.hibachi.agent.cluster.Membership;
import dev.hibachi.agent.dispatch.TargetSelector;
import dev.hibachi.agent.exec.InvalidExecutorConfigException;
import dev.hibachi.agent.run.ExecutorRegistry;
import dev.hibachi.store.apply.Reply;
import dev.hibachi.store.command.Command;
import dev.hibachi.store.model.ClusterSettings;
import dev.hibachi.store.model.Execution;
import dev.hibachi.store.model.Job;
import dev.hibachi.store.model.JobValidator;
import dev.hibachi.store.model.Run;
import dev.hibachi.store.model.Target;
import dev.hibachi.store.query.Query;
import dev.hibachi.store.raft.StoreClient;
import dev.hibachi.store.raft.StoreUnavailableException;

import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;

/**
 * What users do with jobs, whatever the front door: every write is checked here first (so a bad job is
 * answered at once and nothing is proposed), then proposed to the store, which checks it again and decides.
 * Replies carry HTTP-like statuses ({@link Reply}); an unreachable store is a {@link StoreUnavailableException}.
 */
public final class JobService {
    private final StoreClient client;
    private final ExecutorRegistry executors;
    private final Membership membership;
    private final TargetSelector selector;
    private final Clock clock;
    private final Duration timeout;
    private volatile ClusterSettings settings;

    public JobService(StoreClient client, ExecutorRegistry executors, Membership membership, TargetSelector selector,
                      Clock clock, Duration timeout) {
        this.client = client;
        this.executors = executors;
        this.membership = membership;
        this.selector = selector;
        this.clock = clock;
        this.timeout = timeout;
    }

    public Reply putJob(Job job) throws StoreUnavailableException {
        try {
            JobValidator.validate(job, defaultZone());
        } catch (JobValidator.InvalidJobException e) {
            return Reply.refused(400, e.getMessage(), e.field());
        }
        String executor = job.executor() == null ? "" : job.executor();
        var found = executors.get(executor);
        if (found.isEmpty()) {
            return Reply.refused(400, executor.isEmpty() ? "executor is required (one of " + executors.names() + ")"
                    : "unknown executor \"" + executor + "\" (known: " + executors.names() + ")", "executor");
        }
        try {
            found.get().validate(job.executorConfig() == null ? Map.of() : job.executorConfig());
        } catch (InvalidExecutorConfigException e) {
            return Reply.refused(400, e.getMessage(), "executor_config");
        }
        return client.submit(new Command.PutJob(clock.instant(), job), timeout);
    }

    public Reply deleteJob(String name) throws StoreUnavailableException {
        return client.submit(new Command.DeleteJob(clock.instant(), name), timeout);
    }

    public Reply toggleJob(String name) throws StoreUnavailableException {
        return client.submit(new Command.ToggleJob(clock.instant(), name), timeout);
    }

    /**
     * Starts a run now: its targets are chosen here and committed with the plan; the reply comes as soon as
     * the plan is committed, with the job and the run's id.
     */
    public Reply runNow(String name) throws StoreUnavailableException {
        Reply found = job(name);
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

    public Reply job(String name) throws StoreUnavailableException {
        return client.query(new Query.GetJob(name), timeout);
    }

    /** A page of jobs; the reply's value is a {@link dev.hibachi.store.query.JobList}. */
    public Reply jobs(Query.ListJobs listing) throws StoreUnavailableException {
        return client.query(listing, timeout);
    }

    /** A page of a job's executions; the reply's value is an {@link dev.hibachi.store.query.ExecutionList}. */
    public Reply executions(Query.ListExecutions listing) throws StoreUnavailableException {
        return client.query(listing, timeout);
    }

    /** The newest {@code limit} executions of {@code job}, as {@link #executions(Query.ListExecutions)}. */
    public Reply executions(String job, int limit, int outputLimit) throws StoreUnavailableException {
        return executions(Query.ListExecutions.newest(job, limit, outputLimit));
    }

    public Reply execution(String job, String id) throws StoreUnavailableException {
        return client.query(new Query.GetExecution(job, id), timeout);
    }

    public Reply misses(String job, int limit) throws StoreUnavailableException {
        return client.query(new Query.ListMisses(job, limit), timeout);
    }

    public Reply openRuns() throws StoreUnavailableException {
        return client.query(new Query.ListOpenRuns(), timeout);
    }

    private ZoneId defaultZone() throws StoreUnavailableException {
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
