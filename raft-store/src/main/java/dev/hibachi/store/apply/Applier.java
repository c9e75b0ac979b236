package dev.hibachi.store.apply;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hibachi.store.command.Command;
import dev.hibachi.store.command.Command.AttemptReport;
import dev.hibachi.store.command.CommandCodec;
import dev.hibachi.store.event.StoreEvent;
import dev.hibachi.store.event.StoreListener;
import dev.hibachi.store.json.Json;
import dev.hibachi.store.model.ClusterSettings;
import dev.hibachi.store.model.DayStats;
import dev.hibachi.store.model.Execution;
import dev.hibachi.store.model.Job;
import dev.hibachi.store.model.JobClock;
import dev.hibachi.store.model.JobValidator;
import dev.hibachi.store.model.MissedSpan;
import dev.hibachi.store.model.Pause;
import dev.hibachi.store.model.OutputTail;
import dev.hibachi.store.model.PendingChild;
import dev.hibachi.store.model.PendingDelete;
import dev.hibachi.store.model.PendingNotice;
import dev.hibachi.store.model.PendingRetry;
import dev.hibachi.store.model.Run;
import dev.hibachi.store.model.Target;
import dev.hibachi.store.rocks.Family;
import dev.hibachi.store.rocks.JobDatabase;
import dev.hibachi.store.rocks.Keys;
import dev.hibachi.store.rocks.StoreIOException;
import dev.hibachi.store.rocks.StoreView;
import dev.hibachi.store.rocks.Txn;
import dev.hibachi.store.schedule.InvalidScheduleException;
import dev.hibachi.store.schedule.Schedule;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Applies committed commands to the job store. This is where every decision that must be the same on
 * all replicas is made: which plans are accepted, what a result does to the counters, when a retry is due,
 * which history is evicted.
 *
 * <p>Invariants: apply is deterministic (it reads no clock and no randomness that is not seeded from the
 * command) and never throws on input. A command that cannot be applied is refused whole: none of its
 * writes happen, the refusal is recorded with its reason, and the applied index still moves on. Only a
 * failing disk ({@link StoreIOException}) escapes, because continuing would make this replica diverge.
 */
public final class Applier {
    private static final Logger LOG = LoggerFactory.getLogger(Applier.class);
    private static final int REJECTIONS_KEPT = 1000;
    private static final byte[] REJECTION_COUNT = Keys.utf8("rejections");
    /** Miss and skip records kept per job. */
    static final int MISSES_KEPT = 100;
    /** Per execution: more than any member sends (its budget is smaller), so these only stop a bad report. */
    static final int MAX_ARTIFACTS = 1000;
    static final long MAX_ARTIFACT_BYTES = 4L << 20;
    static final int MAX_ARTIFACT_PATH_BYTES = 1024;
    /** Pending notification intents kept at most: beyond it the oldest go, so a long outage of every channel
     * cannot grow the store without bound. */
    public static final long MAX_PENDING_NOTICES = 100_000;
    /** Output kept per execution in a notice, and in all of a notice's executions together. */
    static final int NOTICE_OUTPUT_BYTES = 4096;
    static final int NOTICE_OUTPUT_TOTAL = 32 * 1024;

    private final JobDatabase db;
    private final StoreListener listener;
    private final long maxPendingNotices;

    public Applier(JobDatabase db, StoreListener listener) {
        this(db, listener, MAX_PENDING_NOTICES);
    }

    /** An applier that keeps at most {@code maxPendingNotices} notification intents (tests use a small one). */
    public Applier(JobDatabase db, StoreListener listener, long maxPendingNotices) {
        this.db = db;
        this.listener = listener;
        this.maxPendingNotices = maxPendingNotices;
    }

    /** Applies one log entry and returns the reply for its proposer. */
    public Reply apply(long term, long index, byte[] data) {
        Command command;
        try {
            command = CommandCodec.decode(data);
        } catch (CommandCodec.MalformedCommandException e) {
            return reject(term, index, Reply.refused(400, e.getMessage(), null));
        }
        List<StoreEvent> events = new ArrayList<>();
        Reply result;
        try (Txn txn = db.begin()) {
            try {
                result = dispatch(new Entry(txn, new StoreView(txn), index,
                        command.at() == null ? Instant.EPOCH : command.at(), events), command);
            } catch (Refusal r) {
                result = r.result();
            } catch (StoreIOException e) {
                throw e;
            } catch (RuntimeException e) {
                LOG.error("applying entry {} ({}) failed; it is recorded as rejected", index,
                        command.getClass().getSimpleName(), e);
                result = Reply.refused(500, "internal error applying " + command.getClass().getSimpleName()
                        + ": " + e, null);
            }
            if (result.ok()) {
                writeApplied(txn, term, index);
                txn.commit();
            }
        }
        if (!result.ok()) {
            return reject(term, index, result);
        }
        events.forEach(listener::onEvent);
        return result.atIndex(index);
    }

    /** Moves the applied index past an entry that carries no command (a configuration or no-op entry). */
    public void skip(long term, long index) {
        try (Txn txn = db.begin()) {
            writeApplied(txn, term, index);
            txn.commit();
        }
    }

    private Reply reject(long term, long index, Reply result) {
        try (Txn txn = db.begin()) {
            byte[] countBytes = txn.get(Family.META, REJECTION_COUNT);
            long count = countBytes == null ? 0 : ByteBuffer.wrap(countBytes).getLong();
            ObjectNode record = Json.mapper().createObjectNode().put("index", index).put("reason", result.error());
            txn.put(Family.META, rejectionKey(count), Json.write(record));
            if (count >= REJECTIONS_KEPT) {
                txn.delete(Family.META, rejectionKey(count - REJECTIONS_KEPT));
            }
            txn.put(Family.META, REJECTION_COUNT, ByteBuffer.allocate(8).putLong(count + 1).array());
            writeApplied(txn, term, index);
            txn.commit();
        }
        return result.atIndex(index);
    }

    private static byte[] rejectionKey(long seq) {
        return Keys.utf8(String.format("rejected/%020d", seq));
    }

    private static void writeApplied(Txn txn, long term, long index) {
        txn.put(Family.META, Keys.utf8("applied"), ByteBuffer.allocate(16).putLong(index).putLong(term).array());
    }

    private Reply dispatch(Entry e, Command command) throws Refusal {
        if (command instanceof Command.InitCluster c) {
            return initCluster(e, c);
        } else if (command instanceof Command.PutJob c) {
            return putJob(e, c);
        } else if (command instanceof Command.DeleteJob c) {
            return deleteJob(e, c);
        } else if (command instanceof Command.ToggleJob c) {
            return toggleJob(e, c);
        } else if (command instanceof Command.PlanRuns c) {
            return planRuns(e, c);
        } else if (command instanceof Command.PlanRetries c) {
            return planRetries(e, c);
        } else if (command instanceof Command.ReportAttempts c) {
            return reportAttempts(e, c);
        } else if (command instanceof Command.LoseAttempts c) {
            return loseAttempts(e, c);
        } else if (command instanceof Command.CompletePending c) {
            return completePending(e, c);
        } else if (command instanceof Command.DeleteExecutions c) {
            return deleteExecutions(e, c);
        } else if (command instanceof Command.SkipQueuedRuns c) {
            return skipQueuedRuns(e, c);
        } else if (command instanceof Command.RequestKill c) {
            return requestKill(e, c);
        } else if (command instanceof Command.FlagOverdue c) {
            return flagOverdue(e, c);
        } else if (command instanceof Command.SetPaused c) {
            return setPaused(e, c);
        } else if (command instanceof Command.RecordClusterEvent c) {
            return recordClusterEvent(e, c);
        } else if (command instanceof Command.CompleteNotifications c) {
            return completeNotifications(e, c);
        }
        throw Refusal.invalid(null, "unknown command " + command.getClass().getSimpleName());
    }

    // ---- cluster and jobs ------------------------------------------------------------------------------

    private Reply initCluster(Entry e, Command.InitCluster c) throws Refusal {
        var existing = e.view.settings();
        if (existing.isPresent()) {
            return Reply.ok(existing.get());
        }
        ClusterSettings s = c.settings();
        try {
            ZoneId.of(s.defaultZone());
        } catch (RuntimeException ex) {
            throw Refusal.invalid("default_zone", "unknown zone " + s.defaultZone());
        }
        if (s.executionsKept() < 1 || s.fullOutputsKept() < 0 || s.outputBytes() < 1024 || s.tailBytes() < 0) {
            throw Refusal.invalid(null, "retention settings out of range: " + s);
        }
        e.txn.put(Family.META, StoreView.settingsKey(), Json.write(s));
        return Reply.ok(s);
    }

    private ClusterSettings settings(Entry e) {
        return e.view.settings().orElse(ClusterSettings.defaults("UTC"));
    }

    private Reply putJob(Entry e, Command.PutJob c) throws Refusal {
        Job job = c.job();
        if (job == null) {
            throw Refusal.invalid(null, "no job given");
        }
        if (e.view.pause().paused()) {
            throw new Refusal(503, "New job submissions are currently paused (POST /v1/unpause resumes them)", null);
        }
        ZoneId defaultZone = ZoneId.of(settings(e).defaultZone());
        try {
            JobValidator.validate(job, defaultZone);
        } catch (JobValidator.InvalidJobException ex) {
            throw Refusal.invalid(ex.field(), ex.getMessage());
        }
        Job stored = e.view.job(job.name()).orElse(null);
        if (job.isChild()) {
            Job parent = e.view.job(job.parentJob())
                    .orElseThrow(() -> Refusal.notFound("specified parent job not found: " + job.parentJob()));
            for (Job p = parent; p.isChild(); ) {
                if (p.parentJob().equals(job.name())) {
                    throw Refusal.invalid("parent_job", "parent_job would make a cycle: " + job.name() + " is an"
                            + " ancestor of " + job.parentJob());
                }
                p = e.view.job(p.parentJob()).orElse(null);
                if (p == null) {
                    break;
                }
            }
        }
        List<String> dependents = stored == null || stored.dependentJobs() == null ? List.of() : stored.dependentJobs();
        Job merged = job.mergedWith(stored, dependents);
        String oldParent = stored == null ? "" : stored.parentJob();
        if (!oldParent.equals(merged.parentJob())) {
            if (!oldParent.isEmpty()) {
                updateDependents(e, oldParent, merged.name(), false);
            }
            if (merged.isChild()) {
                updateDependents(e, merged.parentJob(), merged.name(), true);
            }
        }
        JobClock old = e.view.clock(job.name()).orElse(null);
        boolean timingChanged = stored == null || !stored.schedule().equals(merged.schedule())
                || !stored.timezone().equals(merged.timezone()) || (stored.disabled() && !merged.disabled());
        JobClock clock = old == null ? new JobClock(c.at(), c.at(), e.index)
                : timingChanged ? new JobClock(c.at(), latest(old.lastPlannedAt(), c.at()), e.index)
                : new JobClock(old.anchor(), old.lastPlannedAt(), e.index);
        if (timingChanged) {
            clock = afterGrace(merged, clock, defaultZone);
        }
        Job saved = merged.withNext(nextInstant(merged, clock, defaultZone));
        putJob(e, saved);
        e.txn.put(Family.META, Keys.utf8(Keys.clock(saved.name())), Json.write(clock));
        e.events.add(new StoreEvent.JobChanged(saved, clock));
        notice(e, stored == null ? "JOB_CREATED" : "JOB_CHANGED", c.at(), saved, 0, null, null, List.of(),
                "job " + saved.name() + (stored == null ? " was created" : " was changed"));
        if (!saved.forbidsOverlap()) {
            // Runs queued while the job forbade overlap may all go now.
            for (Run run : e.view.openRuns(saved.name())) {
                if (run.isQueued()) {
                    release(e, saved, run);
                }
            }
        }
        return Reply.ok(saved);
    }

    private Reply setPaused(Entry e, Command.SetPaused c) {
        Pause now = e.view.pause();
        if (now.paused() != c.paused()) {
            now = new Pause(c.paused(), c.at());
            e.txn.put(Family.META, StoreView.pauseKey(), Json.write(now));
        }
        return Reply.ok(now);
    }

    private void updateDependents(Entry e, String parentName, String child, boolean add) {
        e.view.job(parentName).ifPresent(parent -> {
            TreeSet<String> set = new TreeSet<>(parent.dependentJobs() == null ? List.of() : parent.dependentJobs());
            if (add) {
                set.add(child);
            } else {
                set.remove(child);
            }
            putJob(e, parent.withDependents(new ArrayList<>(set)));
        });
    }

    private Reply deleteJob(Entry e, Command.DeleteJob c) throws Refusal {
        if (c.pendingKey() != null) {
            return deleteEphemeral(e, c);
        }
        Job job = e.view.job(c.name()).orElseThrow(() -> Refusal.notFound("job not found: " + c.name()));
        if (job.dependentJobs() != null && !job.dependentJobs().isEmpty()) {
            throw Refusal.conflict("could not delete job with dependent jobs, delete children first: "
                    + String.join(", ", job.dependentJobs()));
        }
        removeJob(e, job);
        notice(e, "JOB_DELETED", c.at(), job, 0, null, null, List.of(), "job " + job.name() + " was deleted");
        return Reply.ok(job);
    }

    /**
     * Carries out a pending ephemeral delete: once (the record is consumed), and only the job that ran: one
     * redefined since (a new revision) stays, as does one that has children now.
     */
    private Reply deleteEphemeral(Entry e, Command.DeleteJob c) throws Refusal {
        byte[] key = Keys.utf8(c.pendingKey());
        byte[] bytes = c.pendingKey().startsWith(PendingDelete.PREFIX) ? e.txn.get(Family.PENDING, key) : null;
        if (bytes == null) {
            throw Refusal.conflict("no pending delete " + c.pendingKey() + " (already carried out)");
        }
        PendingDelete pending = Json.read(bytes, PendingDelete.class);
        e.txn.delete(Family.PENDING, key);
        e.events.add(new StoreEvent.PendingCompleted(c.pendingKey()));
        Job job = e.view.job(pending.job()).orElse(null);
        JobClock clock = e.view.clock(pending.job()).orElse(null);
        String kept = job == null ? "the job is gone"
                : clock == null || clock.revision() != pending.revision() ? "the job was redefined since its run"
                : job.dependentJobs() != null && !job.dependentJobs().isEmpty() ? "the job has dependent jobs "
                + job.dependentJobs() : null;
        if (kept != null) {
            LOG.info("Ephemeral job {} is not deleted: {}", pending.job(), kept);
            return Reply.ok(Map.of("deleted", false, "reason", kept));
        }
        removeJob(e, job);
        notice(e, "JOB_DELETED", c.at(), job, 0, null, null, List.of(), "ephemeral job " + job.name()
                + " was deleted after its successful run " + pending.runId());
        return Reply.ok(Map.of("deleted", true, "job", job));
    }

    /** Removes a job and everything that belongs to it (history, misses, open runs, pending work). */
    private void removeJob(Entry e, Job job) {
        if (job.isChild()) {
            updateDependents(e, job.parentJob(), job.name(), false);
        }
        e.txn.deleteJob(job.name());
        e.txn.delete(Family.META, Keys.utf8(Keys.clock(job.name())));
        deleteHistory(e, job.name());
        deletePrefix(e, Family.MISSES, Keys.jobPrefix(job.name()));
        deletePrefix(e, Family.PENDING, Keys.utf8("run/" + job.name() + "/"));
        deletePrefix(e, Family.PENDING, Keys.utf8("retry/" + job.name() + "/"));
        deletePrefix(e, Family.PENDING, Keys.utf8(PendingChild.PREFIX + job.name() + "/"));
        e.txn.delete(Family.PENDING, Keys.utf8(PendingDelete.PREFIX + job.name()));
        e.events.add(new StoreEvent.JobDeleted(job.name()));
    }

    private Reply toggleJob(Entry e, Command.ToggleJob c) throws Refusal {
        Job job = e.view.job(c.name()).orElseThrow(() -> Refusal.notFound("job not found: " + c.name()));
        JobClock old = e.view.clock(job.name()).orElse(new JobClock(c.at(), c.at(), e.index));
        Job toggled = job.withDisabled(!job.disabled());
        // Re-enabling never catches up the instants that passed while the job was disabled.
        JobClock clock = new JobClock(old.anchor(),
                toggled.disabled() ? old.lastPlannedAt() : latest(old.lastPlannedAt(), c.at()), e.index);
        Job saved = toggled.withNext(nextInstant(toggled, clock, ZoneId.of(settings(e).defaultZone())));
        putJob(e, saved);
        e.txn.put(Family.META, Keys.utf8(Keys.clock(saved.name())), Json.write(clock));
        e.events.add(new StoreEvent.JobChanged(saved, clock));
        notice(e, "JOB_CHANGED", c.at(), saved, 0, null, null, List.of(),
                "job " + saved.name() + " was " + (saved.disabled() ? "disabled" : "enabled"));
        return Reply.ok(saved);
    }

    /**
     * {@code @after <date> <grace>} set after its date still has that instant to plan (the scheduler then runs
     * it late, once, within the grace, or records it missed): Dkron's "runs immediately if created within the
     * grace".
     */
    private static JobClock afterGrace(Job job, JobClock clock, ZoneId defaultZone) {
        if (job.isChild() || job.schedule().isBlank()) {
            return clock;
        }
        try {
            Schedule schedule = JobValidator.scheduleOf(job, defaultZone);
            if (schedule.kind() != Schedule.Kind.AFTER) {
                return clock;
            }
            Instant date = schedule.next(Instant.MIN, clock.anchor()).orElse(null);
            return date == null || date.isAfter(clock.lastPlannedAt()) ? clock
                    : new JobClock(clock.anchor(), date.minusNanos(1), clock.revision());
        } catch (InvalidScheduleException | JobValidator.InvalidJobException ex) {
            return clock;
        }
    }

    private static Instant nextInstant(Job job, JobClock clock, ZoneId defaultZone) {
        if (job.disabled() || job.isChild() || job.schedule().isBlank()) {
            return null;
        }
        try {
            return JobValidator.scheduleOf(job, defaultZone).next(clock.lastPlannedAt(), clock.anchor())
                    .orElse(null);
        } catch (InvalidScheduleException | JobValidator.InvalidJobException ex) {
            return null;
        }
    }

    // ---- runs --------------------------------------------------------------------------------------------

    private Reply planRuns(Entry e, Command.PlanRuns c) {
        List<Map<String, Object>> verdicts = new ArrayList<>();
        for (Command.PlannedRun pr : c.runs() == null ? List.<Command.PlannedRun>of() : c.runs()) {
            Planned planned = planRun(e, c, pr);
            long runId = runId(pr.scheduledAt() == null ? Instant.EPOCH : pr.scheduledAt(), e.index);
            verdicts.add(planned.refusal() == null
                    ? Map.of("job", pr.job(), "run_id", runId, "accepted", true, "queued", planned.queued())
                    : Map.of("job", pr.job(), "accepted", false, "reason", planned.refusal()));
        }
        for (MissedSpan miss : c.misses() == null ? List.<MissedSpan>of() : c.misses()) {
            Job job = e.view.job(miss.jobName()).orElse(null);
            JobClock clock = e.view.clock(miss.jobName()).orElse(null);
            if (job == null || clock == null || miss.from() == null || miss.to() == null || miss.count() < 1) {
                continue;
            }
            writeMiss(e, new MissedSpan(miss.jobName(), miss.from(), miss.to(), miss.count(), miss.reason(),
                    miss.recordedAt()));
            notice(e, "RUN_MISSED", c.at(), job, 0, null, null, List.of(), miss.count() + " instant(s) of job "
                    + job.name() + " did not run, from " + miss.from() + " to " + miss.to()
                    + (miss.reason() == null ? "" : ": " + miss.reason()));
            e.events.add(new StoreEvent.RunsMissed(miss.jobName(), miss.count(), MissedSpan.MISSED));
            job = job.withMisses(miss.count(), 0);
            if (miss.to().isAfter(clock.lastPlannedAt())) {
                // A missed instant is decided for good: it is never planned later.
                JobClock advanced = clock.planned(miss.to());
                job = job.withNext(nextInstant(job, advanced, ZoneId.of(settings(e).defaultZone())));
                e.txn.put(Family.META, Keys.utf8(Keys.clock(job.name())), Json.write(advanced));
                e.events.add(new StoreEvent.JobChanged(job, advanced));
            }
            putJob(e, job);
        }
        return Reply.ok(Map.of("runs", verdicts));
    }

    /** The outcome of one planned run: refused (with the reason), or created, queued or not. */
    private record Planned(String refusal, boolean queued) {
        static Planned refused(String reason) {
            return new Planned(reason, false);
        }
    }

    /** Applies one planned run. */
    private Planned planRun(Entry e, Command.PlanRuns c, Command.PlannedRun pr) {
        Job job = e.view.job(pr.job()).orElse(null);
        if (pr.trigger() == Run.Trigger.CHILD) {
            // The pending record is consumed whatever becomes of the run: a child runs once per parent run.
            byte[] key = pr.pendingKey() == null || !pr.pendingKey().startsWith(PendingChild.PREFIX) ? null
                    : Keys.utf8(pr.pendingKey());
            if (key == null || e.txn.get(Family.PENDING, key) == null) {
                return Planned.refused("no pending child run " + pr.pendingKey() + " (already planned)");
            }
            e.txn.delete(Family.PENDING, key);
            e.events.add(new StoreEvent.PendingCompleted(pr.pendingKey()));
            String gate = job == null ? null : job.disabled() ? "the job is disabled"
                    : job.startsAt() != null && c.at().isBefore(job.startsAt()) ? "before the job's starts_at"
                    : job.expiresAt() != null && c.at().isAfter(job.expiresAt()) ? "after the job's expires_at" : null;
            if (gate != null && pr.scheduledAt() != null) {
                writeSkip(e, job, pr.scheduledAt(), null, "child run after parent run " + pr.parentRunId()
                        + " not started: " + gate, c.at());
                return Planned.refused(gate);
            }
        }
        if (job == null) {
            return Planned.refused("job not found");
        }
        if (pr.scheduledAt() == null) {
            return Planned.refused("no instant");
        }
        if (pr.trigger() == Run.Trigger.SCHEDULE) {
            JobClock clock = e.view.clock(job.name()).orElse(null);
            if (clock == null || job.disabled()) {
                return Planned.refused("job is disabled");
            }
            if (pr.revision() != clock.revision()) {
                return Planned.refused("job changed since the run was planned");
            }
            if (!pr.scheduledAt().isAfter(clock.lastPlannedAt())) {
                return Planned.refused("instant " + pr.scheduledAt() + " was already planned");
            }
            JobClock planned = clock.planned(pr.scheduledAt());
            e.txn.put(Family.META, Keys.utf8(Keys.clock(job.name())), Json.write(planned));
            job = job.withNext(pr.following());
            putJob(e, job);
            e.events.add(new StoreEvent.JobChanged(job, planned));
        }
        // forbid is decided here, against the runs this replica holds open: no race can start two runs.
        Run blocking = job.forbidsOverlap() ? e.view.openRuns(job.name()).stream().findFirst().orElse(null) : null;
        if (blocking != null && pr.trigger() == Run.Trigger.MANUAL) {
            return Planned.refused("job " + job.name() + " is still running (run " + blocking.runId()
                    + ") and its concurrency is forbid");
        }
        long runId = runId(pr.scheduledAt(), e.index);
        List<Target> targets = pr.targets() == null ? List.of() : pr.targets();
        if (targets.isEmpty()) {
            // Never dropped silently: a run nobody can take is a failed execution that says why.
            String reason = pr.reason() == null ? "no member matches the job's tags" : pr.reason();
            Execution failed = new Execution(Execution.idOf(runId, 1, ""), job.name(), c.at(), c.at(), false, null, "",
                    runId, 1, pr.scheduledAt(), -1, Execution.FAILED, null);
            writeExecution(e, failed, reason);
            putJob(e, job.withResult(false, c.at(), Execution.FAILED));
            e.events.add(new StoreEvent.AttemptClosed(failed.withOutput(reason, null)));
            notice(e, "RUN_FINISHED", c.at(), job, runId, Execution.FAILED, previousStatus(job),
                    List.of(attemptOf(failed, reason, NOTICE_OUTPUT_BYTES)), "run " + runId + " of job " + job.name()
                            + " failed: " + reason);
            return new Planned(null, false);
        }
        List<Run.Slot> slots = new ArrayList<>();
        for (Target t : targets) {
            slots.add(new Run.Slot(t, 1, Run.SlotState.PLANNED, pr.scheduledAt(), null));
        }
        boolean queued = blocking != null;
        // A catch-up of missed instants, or a child, waits for its turn; a run due on time is skipped instead.
        boolean late = pr.trigger() == Run.Trigger.CHILD || pr.scheduledAt().isBefore(c.at());
        Run run = new Run(job.name(), runId, pr.scheduledAt(), pr.trigger(), List.copyOf(slots),
                pr.trigger() == Run.Trigger.CHILD ? pr.parentRunId() : null, queued ? Boolean.TRUE : null,
                queued && late ? Boolean.TRUE : null);
        putRun(e, run);
        if (queued) {
            e.events.add(new StoreEvent.RunQueued(job.name(), runId, pr.scheduledAt(), late));
        } else {
            announce(e, job, run);
        }
        return new Planned(null, queued);
    }

    /** Tells listeners (the leader's dispatcher) that every slot of {@code run} is ready to be sent. */
    private static void announce(Entry e, Job job, Run run) {
        for (Run.Slot slot : run.slots()) {
            if (slot.state() == Run.SlotState.PLANNED) {
                e.events.add(new StoreEvent.AttemptPlanned(job, run.runId(), slot.attempt(), slot.target(),
                        run.scheduledAt(), slot.notBefore()));
            }
        }
    }

    /** Lets a queued run go: it is dispatched now, or at its instant if that is still ahead. */
    private void release(Entry e, Job job, Run run) {
        Run released = run.released();
        putRun(e, released);
        announce(e, job, released);
    }

    /** After a run of {@code job} is over: the oldest queued run goes, if no other run of the job is open. */
    private void releaseNext(Entry e, Job job) {
        e.view.openRuns(job.name()).stream().findFirst().filter(Run::isQueued).ifPresent(next -> release(e, job, next));
    }

    /** Records one skipped instant: the job's newest span grows if the same run blocked it, else a new span. */
    private void writeSkip(Entry e, Job job, Instant instant, Long blockedBy, String reason, Instant at) {
        byte[] prefix = Keys.jobPrefix(job.name());
        byte[][] newestKey = {null};
        MissedSpan[] newest = {null};
        e.txn.scanBackward(Family.MISSES, prefix, Keys.prefixEnd(prefix), (k, v) -> {
            newestKey[0] = k;
            newest[0] = Json.read(v, MissedSpan.class);
            return false;
        });
        MissedSpan last = newest[0];
        if (blockedBy != null && last != null && MissedSpan.SKIPPED.equals(last.kind())
                && blockedBy.equals(last.blockedBy()) && !instant.isBefore(last.to())) {
            e.txn.put(Family.MISSES, newestKey[0], Json.write(last.plusOne(instant, at)));
        } else {
            // One notice per span: a job blocked for an hour says so once, not once per instant.
            writeMiss(e, new MissedSpan(job.name(), instant, instant, 1, reason, at, MissedSpan.SKIPPED, blockedBy));
            notice(e, "RUN_SKIPPED", at, job, 0, null, null, List.of(), "instant " + instant + " of job "
                    + job.name() + " was " + reason);
        }
        Job current = e.view.job(job.name()).orElse(job);
        putJob(e, current.withMisses(0, 1));
        e.events.add(new StoreEvent.RunsMissed(job.name(), 1, MissedSpan.SKIPPED));
    }

    /** Writes a miss record, keeping at most {@value #MISSES_KEPT} per job (the oldest go). */
    private void writeMiss(Entry e, MissedSpan span) {
        e.txn.put(Family.MISSES, Keys.miss(span.jobName(), span.from().toEpochMilli(), e.index * 1000 + e.seq()),
                Json.write(span));
        List<byte[]> keys = new ArrayList<>();
        byte[] prefix = Keys.jobPrefix(span.jobName());
        e.txn.scan(Family.MISSES, prefix, Keys.prefixEnd(prefix), (k, v) -> keys.add(k));
        for (int i = 0; i < keys.size() - MISSES_KEPT; i++) {
            e.txn.delete(Family.MISSES, keys.get(i));
        }
    }

    /**
     * A run's id: its instant in milliseconds, times a million, plus the plan's log index (mod a million).
     * It reads like Dkron's nanosecond {@code group}, sorts by instant, and two runs of one job never share
     * it (one entry plans a job at most once per instant).
     */
    static long runId(Instant scheduledAt, long index) {
        return scheduledAt.toEpochMilli() * 1_000_000L + Math.floorMod(index, 1_000_000L);
    }

    private Reply planRetries(Entry e, Command.PlanRetries c) {
        List<Map<String, Object>> verdicts = new ArrayList<>();
        for (Command.RetryPlan rp : c.retries() == null ? List.<Command.RetryPlan>of() : c.retries()) {
            String refusal = planRetry(e, rp);
            verdicts.add(refusal == null ? Map.of("pending_key", rp.pendingKey(), "accepted", true)
                    : Map.of("pending_key", rp.pendingKey(), "accepted", false, "reason", refusal));
        }
        return Reply.ok(Map.of("retries", verdicts));
    }

    /**
     * Carries out one pending retry. The record is consumed only when the retry is planned, or when there is
     * nothing left for it to do (its run or job is gone, or its slot moved on); a plan without a target is
     * refused and the record stays, for the leader to try again.
     */
    private String planRetry(Entry e, Command.RetryPlan rp) {
        byte[] key = Keys.utf8(rp.pendingKey());
        byte[] pendingBytes = e.txn.get(Family.PENDING, key);
        if (pendingBytes == null) {
            return "no such pending retry";
        }
        if (rp.target() == null) {
            return "no target given";
        }
        PendingRetry pending = Json.read(pendingBytes, PendingRetry.class);
        Run run = e.view.run(pending.job(), pending.runId()).orElse(null);
        Job job = e.view.job(pending.job()).orElse(null);
        int idx = run == null ? -1 : run.slotOf(pending.node(), pending.attempt() - 1);
        e.txn.delete(Family.PENDING, key);
        e.events.add(new StoreEvent.PendingCompleted(rp.pendingKey()));
        if (run == null || job == null) {
            return "the run is gone";
        }
        if (idx < 0 || run.slots().get(idx).state() != Run.SlotState.RETRY_WAIT) {
            return "the slot is not waiting for a retry";
        }
        Run.Slot slot = new Run.Slot(rp.target(), pending.attempt(), Run.SlotState.PLANNED, pending.notBefore(), null);
        putRun(e, run.withSlot(idx, slot));
        e.events.add(new StoreEvent.AttemptPlanned(job, run.runId(), pending.attempt(), rp.target(), run.scheduledAt(),
                pending.notBefore()));
        return null;
    }

    private Reply reportAttempts(Entry e, Command.ReportAttempts c) {
        List<Map<String, Object>> verdicts = new ArrayList<>();
        for (AttemptReport r : c.reports() == null ? List.<AttemptReport>of() : c.reports()) {
            String verdict = report(e, c, r);
            verdicts.add(Map.of("job", r.job(), "run_id", r.runId(), "attempt", r.attempt(), "verdict", verdict));
        }
        return Reply.ok(Map.of("verdicts", verdicts));
    }

    /** Returns "accepted", "final" (already closed: a repeat) or "refused: ...". */
    private String report(Entry e, Command.ReportAttempts c, AttemptReport r) {
        Run run = e.view.run(r.job(), r.runId()).orElse(null);
        if (run == null) {
            return "final";
        }
        int idx = run.slotOf(c.node(), r.attempt());
        if (idx < 0) {
            return "refused: no attempt " + r.attempt() + " of this run on " + c.node();
        }
        Run.Slot slot = run.slots().get(idx);
        if (!slot.target().incarnation().equals(c.incarnation())) {
            return "refused: the attempt was addressed to another incarnation of " + c.node();
        }
        if (!slot.open()) {
            return "final";
        }
        if (slot.state() == Run.SlotState.PLANNED) {
            runStarted(e, run, c.node(), r.startedAt() == null ? c.at() : r.startedAt(), c.at());
        }
        if (r.phase() == AttemptReport.Phase.STARTED) {
            if (slot.state() == Run.SlotState.PLANNED) {
                Run.Slot running = new Run.Slot(slot.target(), slot.attempt(), Run.SlotState.RUNNING, slot.notBefore(),
                        null);
                putRun(e, run.withSlot(idx, running));
                Execution ex = new Execution(Execution.idOf(run.runId(), r.attempt(), c.node()), run.job(),
                        r.startedAt() == null ? c.at() : r.startedAt(), null, false, null, c.node(), run.runId(),
                        r.attempt(), run.scheduledAt(), null, Execution.RUNNING, null);
                writeExecution(e, ex, null);
                e.events.add(new StoreEvent.AttemptStarted(ex));
            }
            return "accepted";
        }
        Instant finished = r.finishedAt() == null ? c.at() : r.finishedAt();
        finishAttempt(e, run, idx, r.startedAt(), finished, r.success(), r.exitCode(), r.output(), r.artifacts());
        return "accepted";
    }

    private Reply loseAttempts(Entry e, Command.LoseAttempts c) {
        int closed = 0;
        for (Command.AttemptRef ref : c.attempts() == null ? List.<Command.AttemptRef>of() : c.attempts()) {
            Run run = e.view.run(ref.job(), ref.runId()).orElse(null);
            if (run == null) {
                continue;
            }
            int idx = run.slotOf(ref.node(), ref.attempt());
            if (idx < 0 || !run.slots().get(idx).open()) {
                continue;
            }
            Instant started = e.view.execution(Keys.execution(ref.job(), ref.runId(), ref.attempt(), ref.node()))
                    .map(Execution::startedAt).orElse(null);
            finishAttempt(e, run, idx, started, c.at(), false, -1, "member lost: " + c.reason(), List.of());
            closed++;
        }
        return Reply.ok(Map.of("closed", closed));
    }

    /**
     * Closes an attempt: its execution, the job's counters, and what follows — a pending retry while
     * attempts remain (never after a kill), else the slot is done; when every slot is done the run is over
     * (see {@link #runOver}).
     */
    private void finishAttempt(Entry e, Run run, int idx, Instant startedAt, Instant finishedAt, boolean success,
                               int exitCode, String output, List<Command.Artifact> artifacts) {
        Run.Slot slot = run.slots().get(idx);
        Job job = e.view.job(run.job()).orElse(null);
        if (job == null) {
            e.txn.delete(Family.PENDING, Keys.utf8(Keys.run(run.job(), run.runId())));
            return;
        }
        String node = slot.target().node();
        Instant started = startedAt == null ? finishedAt : startedAt;
        // A kill that came too late (the attempt had succeeded already) does not rewrite the success.
        Run.Kill kill = success ? null : slot.kill();
        String status = kill != null ? Execution.KILLED : success ? Execution.SUCCEEDED : Execution.FAILED;
        Execution running = e.view.execution(Keys.execution(run.job(), run.runId(), slot.attempt(), node)).orElse(null);
        Execution ex = new Execution(Execution.idOf(run.runId(), slot.attempt(), node), run.job(), started, finishedAt,
                success, null, node, run.runId(), slot.attempt(), run.scheduledAt(), exitCode, status, null,
                kill == null ? null : kill.by(), running == null ? null : running.overdue());
        writeExecution(e, ex, output == null ? "" : output);
        writeArtifacts(e, Keys.execution(run.job(), run.runId(), slot.attempt(), node), artifacts);
        if (kill != null) {
            notice(e, "RUN_KILLED", finishedAt, job, run.runId(), Execution.KILLED, null,
                    List.of(attemptOf(ex, output, NOTICE_OUTPUT_BYTES)), "execution " + ex.id() + " of job "
                            + job.name() + " on " + node + " was killed at the request of " + kill.by());
        }
        countDay(e, finishedAt, success);

        Run.Slot next;
        if (!success && slot.kill() == null && slot.attempt() < job.retries() + 1) {
            Duration wait = RetryBackoff.after(job.retryBackoff(), run.runId(), slot.attempt(),
                    Duration.between(started, finishedAt));
            PendingRetry retry = new PendingRetry(run.job(), run.runId(), node, slot.attempt() + 1,
                    finishedAt.plus(wait));
            e.txn.put(Family.PENDING, Keys.utf8(retry.key()), Json.write(retry));
            e.events.add(new StoreEvent.RetryPending(retry));
            next = new Run.Slot(slot.target(), slot.attempt(), Run.SlotState.RETRY_WAIT, retry.notBefore(), false);
        } else {
            next = new Run.Slot(slot.target(), slot.attempt(), Run.SlotState.DONE, slot.notBefore(), success);
        }
        Run updated = run.withSlot(idx, next);
        Job counted = job.withResult(success, finishedAt, updated.complete() ? updated.status() : job.status());
        putJob(e, counted);
        e.events.add(new StoreEvent.AttemptClosed(ex.withOutput(output, null)));
        if (updated.complete()) {
            runOver(e, counted, updated, finishedAt, previousStatus(job));
        } else {
            putRun(e, updated);
        }
    }

    /**
     * Adds a finished attempt to its UTC day's counters; the first count of a day drops the day that has just
     * aged out of {@link DayStats#DAYS_KEPT}, so the counters stay bounded without a clock in apply.
     */
    private void countDay(Entry e, Instant finishedAt, boolean success) {
        LocalDate day = LocalDate.ofInstant(finishedAt, ZoneOffset.UTC);
        byte[] key = Keys.utf8(DayStats.key(day));
        byte[] old = e.txn.get(Family.META, key);
        DayStats stats = old == null ? DayStats.empty(day) : Json.read(old, DayStats.class);
        if (old == null) {
            e.txn.delete(Family.META, Keys.utf8(DayStats.key(day.minusDays(DayStats.DAYS_KEPT))));
        }
        e.txn.put(Family.META, key, Json.write(stats.plus(success)));
    }

    /**
     * A run is over (every slot done): its record goes; if every target succeeded, each child job gets a
     * pending run and an ephemeral job a pending delete; then the next queued run of the job may go.
     */
    private void runOver(Entry e, Job job, Run run, Instant at, String previousStatus) {
        e.txn.delete(Family.PENDING, Keys.utf8(Keys.run(run.job(), run.runId())));
        runFinished(e, job, run, at, previousStatus);
        if (Execution.SUCCEEDED.equals(run.status())) {
            for (String child : job.dependentJobs() == null ? List.<String>of() : job.dependentJobs()) {
                PendingChild pending = new PendingChild(child, job.name(), run.runId(), at);
                e.txn.put(Family.PENDING, Keys.utf8(pending.key()), Json.write(pending));
                e.events.add(new StoreEvent.ChildPending(pending));
            }
            if (job.ephemeral()) {
                long revision = e.view.clock(job.name()).map(JobClock::revision).orElse(0L);
                PendingDelete pending = new PendingDelete(job.name(), revision, run.runId(), at);
                e.txn.put(Family.PENDING, Keys.utf8(pending.key()), Json.write(pending));
                e.events.add(new StoreEvent.DeletePending(pending));
            }
        }
        if (job.forbidsOverlap()) {
            releaseNext(e, job); // only forbid queues runs (a job switched to allow released them all)
        }
    }

    /**
     * Writes an execution and its output, then applies retention: at most {@code executions_kept} per job
     * (the oldest are point-deleted), and only the newest {@code full_outputs_kept} keep their full output,
     * older ones a short tail.
     */
    private void writeExecution(Entry e, Execution ex, String output) {
        ClusterSettings s = settings(e);
        byte[] key = Keys.execution(ex.jobName(), ex.group(), ex.attempt(), ex.nodeName());
        boolean isNew = e.txn.get(Family.EXECUTIONS, key) == null;
        e.txn.put(Family.EXECUTIONS, key, Json.write(ex));
        if (output != null) {
            e.txn.put(Family.OUTPUTS, key, OutputTail.cut(output, s.outputBytes()).getBytes(StandardCharsets.UTF_8));
        }
        if (isNew) {
            List<byte[]> keys = e.view.executionKeys(ex.jobName());
            for (int i = 0; i < keys.size() - s.executionsKept(); i++) {
                e.txn.delete(Family.EXECUTIONS, keys.get(i));
                e.txn.delete(Family.OUTPUTS, keys.get(i));
                deleteArtifacts(e, keys.get(i));
            }
        }
        if (output != null) {
            demoteOldOutputs(e, ex.jobName(), key, s);
        }
    }

    /**
     * Keeps the output budget: only the newest {@code full_outputs_kept} outputs (by run) stay whole. The one
     * that just fell out of them is cut to its tail, and so is the output just written when it belongs to an
     * older run (a retry, or a long run that ended after newer ones).
     */
    private void demoteOldOutputs(Entry e, String job, byte[] written, ClusterSettings s) {
        byte[] prefix = Keys.jobPrefix(job);
        int[] seen = {0};
        boolean[] writtenIsRecent = {false};
        e.txn.scanBackward(Family.OUTPUTS, prefix, Keys.prefixEnd(prefix), (k, v) -> {
            if (seen[0]++ < s.fullOutputsKept()) {
                writtenIsRecent[0] |= java.util.Arrays.equals(k, written);
                return true;
            }
            cutToTail(e, k, v, s);
            return false;
        });
        if (!writtenIsRecent[0]) {
            byte[] v = e.txn.get(Family.OUTPUTS, written);
            if (v != null) {
                cutToTail(e, written, v, s);
            }
        }
    }

    private static void cutToTail(Entry e, byte[] key, byte[] value, ClusterSettings s) {
        if (value.length > s.tailBytes()) {
            String text = new String(value, StandardCharsets.UTF_8);
            String cut = OutputTail.cut(text, s.tailBytes());
            if (!cut.equals(text)) {
                e.txn.put(Family.OUTPUTS, key, cut.getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    private Reply completePending(Entry e, Command.CompletePending c) {
        int done = 0;
        for (String key : c.keys() == null ? List.<String>of() : c.keys()) {
            byte[] k = Keys.utf8(key);
            // Notification intents are completed only by CompleteNotifications, which keeps their count.
            if (!key.startsWith("run/") && !key.startsWith(PendingNotice.PREFIX)
                    && e.txn.get(Family.PENDING, k) != null) {
                e.txn.delete(Family.PENDING, k);
                e.events.add(new StoreEvent.PendingCompleted(key));
                done++;
            }
        }
        return Reply.ok(Map.of("completed", done));
    }

    // ---- notifications -------------------------------------------------------------------------------------

    private Reply recordClusterEvent(Entry e, Command.RecordClusterEvent c) throws Refusal {
        if (!Command.RecordClusterEvent.MEMBER_FAILED.equals(c.event())
                && !Command.RecordClusterEvent.LEADER_CHANGED.equals(c.event())) {
            throw Refusal.invalid("event", "unknown cluster event " + c.event() + " (MEMBER_FAILED or"
                    + " LEADER_CHANGED)");
        }
        String detail = c.detail() == null || c.detail().isBlank()
                ? c.event().toLowerCase(java.util.Locale.ROOT).replace('_', ' ') + ": " + c.node() : c.detail();
        String id = notice(e, c.event(), c.at(), null, 0, null, null, List.of(), detail);
        return Reply.ok(Map.of("delivery_id", id));
    }

    private Reply completeNotifications(Entry e, Command.CompleteNotifications c) {
        int done = 0;
        for (String id : c.deliveryIds() == null ? List.<String>of() : c.deliveryIds()) {
            if (id == null) {
                continue;
            }
            String key = PendingNotice.key(id);
            if (e.txn.get(Family.PENDING, Keys.utf8(key)) != null) {
                e.txn.delete(Family.PENDING, Keys.utf8(key));
                e.events.add(new StoreEvent.PendingCompleted(key));
                done++;
            }
        }
        if (done > 0) {
            e.txn.put(Family.META, StoreView.noticeCountKey(), longBytes(Math.max(0, e.view.pendingNoticeCount()
                    - done)));
        }
        return Reply.ok(Map.of("completed", done, "outcome", c.outcome() == null ? "" : c.outcome()));
    }

    /** The status of the job's previous run, for {@code notify-on change}: null when it never ran. */
    private static String previousStatus(Job job) {
        return job.status() == null || job.status().isEmpty() ? null : job.status();
    }

    /**
     * A run's first attempt started: once per run, when the first of its slots leaves PLANNED as attempt 1 (a
     * report of a start, or a result that came without one).
     */
    private void runStarted(Entry e, Run run, String node, Instant startedAt, Instant at) {
        boolean first = run.slots().stream().allMatch(s -> s.state() == Run.SlotState.PLANNED && s.attempt() == 1);
        Job job = e.view.job(run.job()).orElse(null);
        if (!first || job == null) {
            return;
        }
        notice(e, "RUN_STARTED", startedAt == null ? at : startedAt, job, run.runId(), Execution.RUNNING, null,
                List.of(), "run " + run.runId() + " of job " + job.name() + " started on " + node);
    }

    /** A run is over: one notice with its status and each target's final attempt. */
    private void runFinished(Entry e, Job job, Run run, Instant at, String previousStatus) {
        List<PendingNotice.Attempt> attempts = new ArrayList<>();
        int each = Math.max(256, Math.min(NOTICE_OUTPUT_BYTES, NOTICE_OUTPUT_TOTAL / Math.max(1, run.slots().size())));
        boolean killed = false;
        for (Run.Slot slot : run.slots()) {
            byte[] key = Keys.execution(run.job(), run.runId(), slot.attempt(), slot.target().node());
            Execution ex = e.view.execution(key).orElse(null);
            if (ex != null) {
                attempts.add(attemptOf(ex, e.view.output(key).orElse(""), each));
                killed |= Execution.KILLED.equals(ex.status());
            }
        }
        long ok = attempts.stream().filter(PendingNotice.Attempt::success).count();
        // The job's status says failed for a killed run; people are told it was killed.
        String status = killed ? Execution.KILLED : run.status();
        notice(e, "RUN_FINISHED", at, job, run.runId(), status, previousStatus, attempts, "run " + run.runId()
                + " of job " + job.name() + " finished: " + status + " (" + ok + " of " + run.slots().size()
                + " target(s) succeeded)");
    }

    private static PendingNotice.Attempt attemptOf(Execution ex, String output, int maxBytes) {
        return new PendingNotice.Attempt(ex.id(), ex.nodeName(), ex.attempt(), ex.startedAt(), ex.finishedAt(),
                ex.success(), ex.exitCode(), output == null ? "" : OutputTail.cut(output, maxBytes));
    }

    /**
     * Records a notification intent (DESIGN.md, step 5): pending until the leader commits its delivery. Past
     * {@link #maxPendingNotices} the oldest is dropped, with a log line. Returns its delivery id.
     */
    private String notice(Entry e, String event, Instant at, Job job, long runId, String status, String previous,
                          List<PendingNotice.Attempt> executions, String detail) {
        String id = PendingNotice.deliveryId(e.index, e.seq(), e.at);
        PendingNotice notice = new PendingNotice(id, event, at, job == null ? null : job.name(),
                job == null ? null : job.ownerEmail(), job == null ? null : job.metadata(), runId, status, previous,
                executions, detail);
        long count = e.view.pendingNoticeCount();
        if (count >= maxPendingNotices) {
            byte[] prefix = Keys.utf8(PendingNotice.PREFIX);
            byte[][] oldest = {null};
            e.txn.scan(Family.PENDING, prefix, Keys.prefixEnd(prefix), (k, v) -> {
                oldest[0] = k;
                return false;
            });
            if (oldest[0] != null) {
                e.txn.delete(Family.PENDING, oldest[0]);
                e.events.add(new StoreEvent.PendingCompleted(Keys.string(oldest[0])));
                count--;
                LOG.warn("{} notifications are pending (the most kept): the oldest, {}, is dropped undelivered",
                        maxPendingNotices, Keys.string(oldest[0]));
            }
        }
        e.txn.put(Family.PENDING, Keys.utf8(notice.key()), Json.write(notice));
        e.txn.put(Family.META, StoreView.noticeCountKey(), longBytes(count + 1));
        e.events.add(new StoreEvent.NotificationPending(notice));
        return id;
    }

    private static byte[] longBytes(long v) {
        return ByteBuffer.allocate(8).putLong(v).array();
    }

    private Reply skipQueuedRuns(Entry e, Command.SkipQueuedRuns c) {
        int skipped = 0;
        for (Command.RunRef ref : c.runs() == null ? List.<Command.RunRef>of() : c.runs()) {
            Run run = e.view.run(ref.job(), ref.runId()).orElse(null);
            Job job = e.view.job(ref.job()).orElse(null);
            if (run == null || job == null || !run.isQueued() || run.isLate()) {
                continue; // released meanwhile (the run before it ended in time), or gone
            }
            e.txn.delete(Family.PENDING, Keys.utf8(Keys.run(run.job(), run.runId())));
            Run blocking = e.view.openRuns(job.name()).stream().filter(r -> !r.isQueued()).findFirst().orElse(null);
            Long blockedBy = blocking == null ? null : blocking.runId();
            writeSkip(e, job, run.scheduledAt(), blockedBy, "skipped: the job's concurrency is forbid and run "
                    + (blockedBy == null ? "before it" : blockedBy) + " was still running", c.at());
            skipped++;
        }
        return Reply.ok(Map.of("skipped", skipped));
    }

    /**
     * Commits a user's request to kill one attempt ({@code KillRequested}). A started or dispatched attempt is
     * marked, and its member is told; its result is then recorded as killed, with no retry. An attempt that
     * cannot have started (its run is queued) is closed at once. An attempt that failed and waits for its
     * retry has the retries cancelled.
     */
    private Reply requestKill(Entry e, Command.RequestKill c) throws Refusal {
        String id = Execution.idOf(c.runId(), c.attempt(), c.node());
        String finished = "execution " + id + " of job " + c.job() + " has already finished";
        Run run = e.view.run(c.job(), c.runId()).orElse(null);
        int idx = run == null ? -1 : run.slotOf(c.node(), c.attempt());
        if (idx < 0) {
            boolean exists = e.view.execution(Keys.execution(c.job(), c.runId(), c.attempt(), c.node())).isPresent();
            if (exists) {
                throw Refusal.conflict(finished);
            }
            throw Refusal.notFound("execution " + id + " of job " + c.job() + " not found");
        }
        Job job = e.view.job(c.job()).orElseThrow(() -> Refusal.notFound("job not found: " + c.job()));
        Run.Slot slot = run.slots().get(idx);
        String by = c.by() == null || c.by().isBlank() ? "unknown" : c.by();
        switch (slot.state()) {
            case DONE -> throw Refusal.conflict(finished);
            case RETRY_WAIT -> {
                String retryKey = new PendingRetry(run.job(), run.runId(), c.node(), slot.attempt() + 1,
                        slot.notBefore()).key();
                e.txn.delete(Family.PENDING, Keys.utf8(retryKey));
                e.events.add(new StoreEvent.PendingCompleted(retryKey));
                Run updated = run.withSlot(idx, new Run.Slot(slot.target(), slot.attempt(), Run.SlotState.DONE,
                        slot.notBefore(), false, new Run.Kill(by, c.at())));
                notice(e, "RUN_KILLED", c.at(), job, run.runId(), Execution.KILLED, null, List.of(), "the retries"
                        + " of execution " + id + " of job " + job.name() + " were cancelled at the request of " + by);
                if (updated.complete()) {
                    Job settled = job.withStatus(updated.status());
                    putJob(e, settled);
                    runOver(e, settled, updated, c.at(), previousStatus(job));
                } else {
                    putRun(e, updated);
                }
                return Reply.ok(Map.of("execution", id, "outcome", "retries cancelled"));
            }
            default -> {
                if (slot.kill() != null) {
                    return Reply.ok(Map.of("execution", id, "outcome", "kill already requested by "
                            + slot.kill().by()));
                }
                Run marked = run.withSlot(idx, slot.withKill(new Run.Kill(by, c.at())));
                if (run.isQueued()) {
                    finishAttempt(e, marked, idx, c.at(), c.at(), false, -1, "[hibachi: killed before it started, at"
                            + " the request of " + by + "]\n", List.of());
                    return Reply.ok(Map.of("execution", id, "outcome", "killed before it started"));
                }
                putRun(e, marked);
                e.events.add(new StoreEvent.KillRequested(job, run.runId(), slot.attempt(), slot.target(),
                        run.scheduledAt(), by));
                return Reply.ok(Map.of("execution", id, "outcome", "kill requested"));
            }
        }
    }

    private Reply flagOverdue(Entry e, Command.FlagOverdue c) {
        int flagged = 0;
        for (Command.AttemptRef ref : c.attempts() == null ? List.<Command.AttemptRef>of() : c.attempts()) {
            Run run = e.view.run(ref.job(), ref.runId()).orElse(null);
            Job job = e.view.job(ref.job()).orElse(null);
            int idx = run == null ? -1 : run.slotOf(ref.node(), ref.attempt());
            if (job == null || idx < 0 || run.slots().get(idx).state() != Run.SlotState.RUNNING
                    || job.expectedRunTime().isEmpty()) {
                continue;
            }
            byte[] key = Keys.execution(ref.job(), ref.runId(), ref.attempt(), ref.node());
            Execution ex = e.view.execution(key).orElse(null);
            if (ex == null || ex.finished() || Boolean.TRUE.equals(ex.overdue())) {
                continue;
            }
            Execution marked = ex.flaggedOverdue();
            e.txn.put(Family.EXECUTIONS, key, Json.write(marked));
            e.events.add(new StoreEvent.AttemptOverdue(marked, job.expectedRunTime().get()));
            notice(e, "RUN_OVERDUE", c.at(), job, run.runId(), null, null, List.of(), "execution " + marked.id()
                    + " of job " + job.name() + " on " + ref.node() + " is still running past its expected duration "
                    + job.expectedRunTime().get());
            flagged++;
        }
        return Reply.ok(Map.of("flagged", flagged));
    }

    private Reply deleteExecutions(Entry e, Command.DeleteExecutions c) throws Refusal {
        Job job = e.view.job(c.name()).orElseThrow(() -> Refusal.notFound("job not found: " + c.name()));
        deleteHistory(e, job.name());
        deletePrefix(e, Family.MISSES, Keys.jobPrefix(job.name()));
        Job cleared = job.withHistoryCleared();
        putJob(e, cleared);
        return Reply.ok(cleared);
    }

    private void deleteHistory(Entry e, String job) {
        for (byte[] key : e.view.executionKeys(job)) {
            e.txn.delete(Family.EXECUTIONS, key);
            e.txn.delete(Family.OUTPUTS, key);
            deleteArtifacts(e, key);
        }
    }

    /**
     * Stores a closed attempt's artifacts with its execution (this runs once per attempt: only the first result
     * closes it). The member already kept them within its budget; these bounds only keep a bad report from making a
     * record apply would choke on, so what breaks them is left out rather than refused: the result still counts.
     */
    private static void writeArtifacts(Entry e, byte[] executionKey, List<Command.Artifact> artifacts) {
        if (e.txn.get(Family.EXECUTIONS, executionKey) == null) {
            return; // retention evicted it as it was written (a late result of a run older than every kept one)
        }
        int kept = 0;
        long bytes = 0;
        for (Command.Artifact a : artifacts == null ? List.<Command.Artifact>of() : artifacts) {
            if (a == null || a.data() == null || !validArtifactPath(a.path()) || kept >= MAX_ARTIFACTS
                    || bytes + a.data().length > MAX_ARTIFACT_BYTES) {
                continue;
            }
            e.txn.put(Family.ARTIFACTS, Keys.artifact(executionKey, a.path()), a.data());
            kept++;
            bytes += a.data().length;
        }
    }

    /** Relative, {@code /}-separated, no empty, {@code .} or {@code ..} names, no zero byte, at most 1,024 bytes. */
    static boolean validArtifactPath(String path) {
        if (path == null || path.isEmpty() || path.indexOf('\0') >= 0
                || path.getBytes(StandardCharsets.UTF_8).length > MAX_ARTIFACT_PATH_BYTES) {
            return false;
        }
        for (String name : path.split("/", -1)) {
            if (name.isEmpty() || name.equals(".") || name.equals("..")) {
                return false;
            }
        }
        return true;
    }

    /** Point deletes, as retention does everywhere (DESIGN.md, Storage): an execution has at most a few hundred. */
    private static void deleteArtifacts(Entry e, byte[] executionKey) {
        for (byte[] key : e.view.artifactKeys(executionKey)) {
            e.txn.delete(Family.ARTIFACTS, key);
        }
    }

    private void deletePrefix(Entry e, Family family, byte[] prefix) {
        List<byte[]> keys = new ArrayList<>();
        e.txn.scan(family, prefix, Keys.prefixEnd(prefix), (k, v) -> keys.add(k));
        keys.forEach(k -> e.txn.delete(family, k));
    }

    private static void putJob(Entry e, Job job) {
        e.txn.putJob(job);
    }

    private static void putRun(Entry e, Run run) {
        e.txn.put(Family.PENDING, Keys.utf8(Keys.run(run.job(), run.runId())), Json.write(run));
    }

    private static Instant latest(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    /** The state of one entry being applied. */
    private record Entry(Txn txn, StoreView view, long index, Instant at, List<StoreEvent> events, long[] sequence) {
        Entry(Txn txn, StoreView view, long index, Instant at, List<StoreEvent> events) {
            this(txn, view, index, at, events, new long[1]);
        }

        /** A number unique within this entry (for keys written several times in one entry). */
        long seq() {
            return sequence[0]++;
        }
    }
}
