package dev.hibachi.store.apply;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hibachi.store.command.Command;
import dev.hibachi.store.command.Command.AttemptReport;
import dev.hibachi.store.command.CommandCodec;
import dev.hibachi.store.event.StoreEvent;
import dev.hibachi.store.event.StoreListener;
import dev.hibachi.store.json.Json;
import dev.hibachi.store.model.ClusterSettings;
import dev.hibachi.store.model.Execution;
import dev.hibachi.store.model.Job;
import dev.hibachi.store.model.JobClock;
import dev.hibachi.store.model.JobValidator;
import dev.hibachi.store.model.MissedSpan;
import dev.hibachi.store.model.OutputTail;
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
import java.time.ZoneId;
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

    private final JobDatabase db;
    private final StoreListener listener;

    public Applier(JobDatabase db, StoreListener listener) {
        this.db = db;
        this.listener = listener;
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
                result = dispatch(new Entry(txn, new StoreView(txn), index, events), command);
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
        Job saved = merged.withNext(nextInstant(merged, clock, defaultZone));
        putJob(e, saved);
        e.txn.put(Family.META, Keys.utf8(Keys.clock(saved.name())), Json.write(clock));
        e.events.add(new StoreEvent.JobChanged(saved, clock));
        return Reply.ok(saved);
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
        Job job = e.view.job(c.name()).orElseThrow(() -> Refusal.notFound("job not found: " + c.name()));
        if (job.dependentJobs() != null && !job.dependentJobs().isEmpty()) {
            throw Refusal.conflict("could not delete job with dependent jobs, delete children first: "
                    + String.join(", ", job.dependentJobs()));
        }
        if (job.isChild()) {
            updateDependents(e, job.parentJob(), job.name(), false);
        }
        e.txn.delete(Family.JOBS, Keys.job(job.name()));
        e.txn.delete(Family.META, Keys.utf8(Keys.clock(job.name())));
        deleteHistory(e, job.name());
        deletePrefix(e, Family.MISSES, Keys.jobPrefix(job.name()));
        deletePrefix(e, Family.PENDING, Keys.utf8("run/" + job.name() + "/"));
        deletePrefix(e, Family.PENDING, Keys.utf8("retry/" + job.name() + "/"));
        e.events.add(new StoreEvent.JobDeleted(job.name()));
        return Reply.ok(job);
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
        return Reply.ok(saved);
    }

    private static Instant nextInstant(Job job, JobClock clock, ZoneId defaultZone) {
        if (job.disabled() || job.isChild() || job.schedule().isBlank()) {
            return null;
        }
        try {
            ZoneId zone = JobValidator.zoneOf(job, defaultZone);
            return Schedule.parse(job.schedule(), job.name(), zone).next(clock.lastPlannedAt(), clock.anchor())
                    .orElse(null);
        } catch (InvalidScheduleException | JobValidator.InvalidJobException ex) {
            return null;
        }
    }

    // ---- runs --------------------------------------------------------------------------------------------

    private Reply planRuns(Entry e, Command.PlanRuns c) {
        List<Map<String, Object>> verdicts = new ArrayList<>();
        for (Command.PlannedRun pr : c.runs() == null ? List.<Command.PlannedRun>of() : c.runs()) {
            String refusal = planRun(e, c, pr);
            long runId = runId(pr.scheduledAt(), e.index);
            verdicts.add(refusal == null ? Map.of("job", pr.job(), "run_id", runId, "accepted", true)
                    : Map.of("job", pr.job(), "accepted", false, "reason", refusal));
        }
        long seq = 0;
        for (MissedSpan miss : c.misses() == null ? List.<MissedSpan>of() : c.misses()) {
            Job job = e.view.job(miss.jobName()).orElse(null);
            JobClock clock = e.view.clock(miss.jobName()).orElse(null);
            if (job == null || clock == null || miss.from() == null || miss.to() == null) {
                continue;
            }
            e.txn.put(Family.MISSES, Keys.miss(miss.jobName(), miss.from().toEpochMilli(), e.index * 1000 + seq++),
                    Json.write(miss));
            if (miss.to().isAfter(clock.lastPlannedAt())) {
                // A missed instant is decided for good: it is never planned later.
                JobClock advanced = clock.planned(miss.to());
                Job moved = job.withNext(nextInstant(job, advanced, ZoneId.of(settings(e).defaultZone())));
                e.txn.put(Family.META, Keys.utf8(Keys.clock(job.name())), Json.write(advanced));
                putJob(e, moved);
                e.events.add(new StoreEvent.JobChanged(moved, advanced));
            }
        }
        return Reply.ok(Map.of("runs", verdicts));
    }

    /** Applies one planned run; returns why it was refused, or null. */
    private String planRun(Entry e, Command.PlanRuns c, Command.PlannedRun pr) {
        Job job = e.view.job(pr.job()).orElse(null);
        if (job == null) {
            return "job not found";
        }
        if (pr.scheduledAt() == null) {
            return "no instant";
        }
        if (pr.trigger() == Run.Trigger.SCHEDULE) {
            JobClock clock = e.view.clock(job.name()).orElse(null);
            if (clock == null || job.disabled()) {
                return "job is disabled";
            }
            if (pr.revision() != clock.revision()) {
                return "job changed since the run was planned";
            }
            if (!pr.scheduledAt().isAfter(clock.lastPlannedAt())) {
                return "instant " + pr.scheduledAt() + " was already planned";
            }
            JobClock planned = clock.planned(pr.scheduledAt());
            e.txn.put(Family.META, Keys.utf8(Keys.clock(job.name())), Json.write(planned));
            job = job.withNext(pr.following());
            putJob(e, job);
            e.events.add(new StoreEvent.JobChanged(job, planned));
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
            return null;
        }
        List<Run.Slot> slots = new ArrayList<>();
        for (Target t : targets) {
            slots.add(new Run.Slot(t, 1, Run.SlotState.PLANNED, pr.scheduledAt(), null));
        }
        Run run = new Run(job.name(), runId, pr.scheduledAt(), pr.trigger(), List.copyOf(slots));
        putRun(e, run);
        for (Target t : targets) {
            e.events.add(new StoreEvent.AttemptPlanned(job, runId, 1, t, pr.scheduledAt(), pr.scheduledAt()));
        }
        return null;
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
        finishAttempt(e, run, idx, r.startedAt(), finished, r.success(), r.exitCode(), r.output());
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
            finishAttempt(e, run, idx, started, c.at(), false, -1, "member lost: " + c.reason());
            closed++;
        }
        return Reply.ok(Map.of("closed", closed));
    }

    /**
     * Closes an attempt: its execution, the job's counters, and what follows — a pending retry while
     * attempts remain, else the slot is done, and when every slot is done the run is over and the job's
     * status is the run's.
     */
    private void finishAttempt(Entry e, Run run, int idx, Instant startedAt, Instant finishedAt, boolean success,
                               int exitCode, String output) {
        Run.Slot slot = run.slots().get(idx);
        Job job = e.view.job(run.job()).orElse(null);
        if (job == null) {
            e.txn.delete(Family.PENDING, Keys.utf8(Keys.run(run.job(), run.runId())));
            return;
        }
        String node = slot.target().node();
        Instant started = startedAt == null ? finishedAt : startedAt;
        Execution ex = new Execution(Execution.idOf(run.runId(), slot.attempt(), node), run.job(), started, finishedAt,
                success, null, node, run.runId(), slot.attempt(), run.scheduledAt(), exitCode,
                success ? Execution.SUCCEEDED : Execution.FAILED, null);
        writeExecution(e, ex, output == null ? "" : output);

        Run.Slot next;
        if (!success && slot.attempt() < job.retries() + 1) {
            Duration wait = RetryBackoff.after(run.runId(), slot.attempt(), Duration.between(started, finishedAt));
            PendingRetry retry = new PendingRetry(run.job(), run.runId(), node, slot.attempt() + 1,
                    finishedAt.plus(wait));
            e.txn.put(Family.PENDING, Keys.utf8(retry.key()), Json.write(retry));
            e.events.add(new StoreEvent.RetryPending(retry));
            next = new Run.Slot(slot.target(), slot.attempt(), Run.SlotState.RETRY_WAIT, retry.notBefore(), false);
        } else {
            next = new Run.Slot(slot.target(), slot.attempt(), Run.SlotState.DONE, slot.notBefore(), success);
        }
        Run updated = run.withSlot(idx, next);
        String status = job.status();
        if (updated.complete()) {
            status = updated.status();
            e.txn.delete(Family.PENDING, Keys.utf8(Keys.run(run.job(), run.runId())));
        } else {
            putRun(e, updated);
        }
        putJob(e, job.withResult(success, finishedAt, status));
        e.events.add(new StoreEvent.AttemptClosed(ex.withOutput(output, null)));
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
            if (!key.startsWith("run/") && e.txn.get(Family.PENDING, k) != null) {
                e.txn.delete(Family.PENDING, k);
                e.events.add(new StoreEvent.PendingCompleted(key));
                done++;
            }
        }
        return Reply.ok(Map.of("completed", done));
    }

    private Reply deleteExecutions(Entry e, Command.DeleteExecutions c) throws Refusal {
        Job job = e.view.job(c.name()).orElseThrow(() -> Refusal.notFound("job not found: " + c.name()));
        deleteHistory(e, job.name());
        Job cleared = job.withHistoryCleared();
        putJob(e, cleared);
        return Reply.ok(cleared);
    }

    private void deleteHistory(Entry e, String job) {
        for (byte[] key : e.view.executionKeys(job)) {
            e.txn.delete(Family.EXECUTIONS, key);
            e.txn.delete(Family.OUTPUTS, key);
        }
    }

    private void deletePrefix(Entry e, Family family, byte[] prefix) {
        List<byte[]> keys = new ArrayList<>();
        e.txn.scan(family, prefix, Keys.prefixEnd(prefix), (k, v) -> keys.add(k));
        keys.forEach(k -> e.txn.delete(family, k));
    }

    private static void putJob(Entry e, Job job) {
        e.txn.put(Family.JOBS, Keys.job(job.name()), Json.write(job));
    }

    private static void putRun(Entry e, Run run) {
        e.txn.put(Family.PENDING, Keys.utf8(Keys.run(run.job(), run.runId())), Json.write(run));
    }

    private static Instant latest(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    /** The state of one entry being applied. */
    private record Entry(Txn txn, StoreView view, long index, List<StoreEvent> events) {
    }
}
