package dev.hibachi.agent.schedule;

import dev.hibachi.agent.cluster.Membership;
import dev.hibachi.agent.dispatch.TargetSelector;
import dev.hibachi.store.apply.Reply;
import dev.hibachi.store.command.Command;
import dev.hibachi.store.model.ClusterSettings;
import dev.hibachi.store.model.Job;
import dev.hibachi.store.model.JobClock;
import dev.hibachi.store.model.MissedSpan;
import dev.hibachi.store.model.Run;
import dev.hibachi.store.model.Target;
import dev.hibachi.store.raft.JobStateMachine;
import dev.hibachi.store.raft.StoreClient;
import dev.hibachi.store.schedule.GoDuration;
import dev.hibachi.store.schedule.Schedule;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Plans runs, on the Raft leader only. One thread watches the {@link FireIndex}; when an instant comes within
 * {@code planAhead + planEvery} it commits a {@code PlanRuns} entry for everything due by then (at most
 * {@code maxRunsPerEntry} runs an entry), with each run's targets already chosen and each job's following
 * instant. Dispatch at the instant is the {@link dev.hibachi.agent.dispatch.Dispatcher}'s work, driven by
 * the applied plan.
 *
 * <p>Instants that passed unplanned (no leader, agent down) are found here: those younger than the
 * misfire grace run late, once each; older ones follow the job's {@link MisfirePolicy}; what does not run
 * is written into the same entry as a missed span.
 */
public final class Scheduler implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Scheduler.class);
    private static final int MAX_INSTANTS_PER_ROUND = 10;
    private static final int MAX_MISSED_COUNTED = 200_000;

    /**
     * @param planAhead how long before an instant its plan is committed
     * @param planEvery how often a plan entry is written at most: each entry covers the instants due in the
     *                  next {@code planAhead + planEvery}, so jobs with phases spread over the second still
     *                  cost a few entries a second, not one each
     */
    public record Settings(Duration planAhead, Duration planEvery, Duration misfireGrace, int maxRunsPerEntry) {
        public static Settings defaults() {
            return new Settings(Duration.ofSeconds(1), Duration.ofMillis(250), Duration.ofSeconds(60), 1000);
        }
    }

    private final FireIndex index;
    private final JobStateMachine store;
    private final StoreClient client;
    private final Membership membership;
    private final TargetSelector selector;
    private final Clock clock;
    private final Settings settings;
    private final ScheduleCache schedules = new ScheduleCache();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private volatile Thread thread;
    private volatile boolean running;

    public Scheduler(FireIndex index, JobStateMachine store, StoreClient client, Membership membership,
                     TargetSelector selector, Clock clock, Settings settings) {
        this.index = index;
        this.store = store;
        this.client = client;
        this.membership = membership;
        this.selector = selector;
        this.clock = clock;
        this.settings = settings;
        index.setOnChange(this::wake);
    }

    /** Starts planning (this server just became the leader). */
    public synchronized void start() {
        if (running) {
            return;
        }
        running = true;
        thread = new Thread(this::loop, "scheduler");
        thread.setDaemon(true);
        thread.start();
        LOG.info("Scheduler started with {} jobs in the index", index.size());
    }

    /** Stops planning (leadership lost, or shutdown). Proposals already sent stand or fall in the log. */
    public synchronized void stop() {
        running = false;
        Thread t = thread;
        thread = null;
        if (t != null) {
            t.interrupt();
        }
        // Forget what was proposed but maybe not committed: the next leader (maybe us) starts from the store.
        rebuildIndex();
    }

    /** Rebuilds the whole index from this replica's store (at start, and after a snapshot install). */
    public void rebuildIndex() {
        List<Job> all = new ArrayList<>();
        Map<String, JobClock> clocks = new java.util.HashMap<>();
        store.read(view -> {
            String after = null;
            while (true) {
                List<Job> page = view.jobs(after, 5000);
                for (Job j : page) {
                    all.add(j);
                    view.clock(j.name()).ifPresent(c -> clocks.put(j.name(), c));
                }
                if (page.size() < 5000) {
                    return null;
                }
                after = page.get(page.size() - 1).name();
            }
        });
        index.clear();
        for (Job j : all) {
            JobClock c = clocks.get(j.name());
            if (c != null) {
                index.update(j, c);
            }
        }
    }

    private void wake() {
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void loop() {
        while (running) {
            try {
                Instant now = clock.instant();
                Instant horizon = now.plus(settings.planAhead()).plus(settings.planEvery());
                List<FireIndex.Entry> due = index.due(horizon, settings.maxRunsPerEntry());
                if (due.isEmpty()) {
                    awaitNext(now);
                } else {
                    plan(due, now, horizon);
                    if (due.size() < settings.maxRunsPerEntry()) {
                        pause(settings.planEvery());
                    }
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.error("Planning failed; retrying", e);
                sleepQuietly();
            }
        }
    }

    private void awaitNext(Instant now) throws InterruptedException {
        Optional<Instant> earliest = index.earliest();
        // Wake when the earliest instant enters the horizon a round plans to (planAhead + planEvery): an instant
        // is then planned 1.25 s ahead, so jobs on the whole second are planned at .75, not at the very moment
        // the previous second's runs are being spawned.
        long waitMillis = earliest.map(t -> Duration.between(now,
                        t.minus(settings.planAhead()).minus(settings.planEvery())).toMillis())
                .orElse(1000L);
        waitMillis = Math.max(1, Math.min(waitMillis, 1000));
        lock.lock();
        try {
            changed.await(waitMillis, TimeUnit.MILLISECONDS);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits between plan rounds. Not cut short by index changes: every applied plan changes the index. A job
     * created meanwhile is planned at most {@code planEvery} later, still well ahead of its instant.
     */
    private static void pause(Duration d) throws InterruptedException {
        TimeUnit.MILLISECONDS.sleep(d.toMillis());
    }

    private void plan(List<FireIndex.Entry> due, Instant now, Instant horizon) {
        ZoneId defaultZone = ZoneId.of(store.read(v -> v.settings()).map(ClusterSettings::defaultZone).orElse("UTC"));
        List<Command.PlannedRun> runs = new ArrayList<>();
        List<MissedSpan> misses = new ArrayList<>();
        List<String> jobs = new ArrayList<>();
        for (FireIndex.Entry entry : due) {
            Job job = store.read(v -> v.job(entry.job())).orElse(null);
            JobClock jobClock = store.read(v -> v.clock(entry.job())).orElse(null);
            Optional<Schedule> schedule = job == null ? Optional.empty() : schedules.of(job, defaultZone);
            if (job == null || jobClock == null || schedule.isEmpty() || job.disabled()) {
                index.remove(entry.job());
                continue;
            }
            Instant anchor = jobClock.anchor();
            Instants instants = instantsToPlan(job.name(), entry.next(), schedule.get(), anchor, now, horizon,
                    policyFor(job, schedule.get()), graceFor(job, schedule.get()));
            List<Target> targets = selector.select(job.tags(), membership.members());
            String reason = targets.isEmpty() ? noTargetReason(job) : null;
            Instant last = null;
            for (Instant at : instants.run()) {
                Instant following = schedule.get().next(at, anchor).orElse(null);
                runs.add(new Command.PlannedRun(job.name(), entry.revision(), at, following, Run.Trigger.SCHEDULE,
                        targets, reason));
                last = at;
            }
            if (instants.missed() != null) {
                misses.add(instants.missed());
                if (last == null || instants.missed().to().isAfter(last)) {
                    last = instants.missed().to();
                }
            }
            jobs.add(job.name());
            Instant following = last == null ? entry.next() : schedule.get().next(last, anchor).orElse(null);
            index.advance(job.name(), last, following);
        }
        if (runs.isEmpty() && misses.isEmpty()) {
            return;
        }
        Command.PlanRuns command = new Command.PlanRuns(clock.instant(), runs, misses);
        client.submit(command).whenComplete((reply, error) -> afterProposal(jobs, reply, error));
    }

    private void afterProposal(List<String> jobs, Reply reply, Throwable error) {
        if (error != null || reply == null || !reply.ok()) {
            LOG.warn("A plan for {} jobs was not committed ({}); they are re-planned from the store", jobs.size(),
                    error != null ? error.getMessage() : reply == null ? "no reply" : reply.error());
            jobs.forEach(this::resync);
            return;
        }
        var runs = reply.value().path("runs");
        for (var verdict : runs) {
            if (!verdict.path("accepted").asBoolean()) {
                LOG.debug("Plan for {} refused: {}", verdict.path("job").asText(), verdict.path("reason").asText());
                resync(verdict.path("job").asText());
            }
        }
    }

    private void resync(String job) {
        store.read(v -> {
            Optional<Job> j = v.job(job);
            Optional<JobClock> c = v.clock(job);
            if (j.isPresent() && c.isPresent()) {
                index.resync(j.get(), c.get());
            } else {
                index.remove(job);
            }
            return null;
        });
    }

    /** The instants of one job to plan now, and what was missed. */
    record Instants(List<Instant> run, MissedSpan missed) {
    }

    /**
     * Splits a job's instants from {@code first} up to {@code horizon} into those that run and the span that
     * does not. Old instants (before {@code now - grace}) are counted one by one up to
     * {@link #MAX_MISSED_COUNTED}; past that (a fast job down for days) the count becomes a lower bound and
     * the walk jumps to a window just before the grace boundary that still holds the newest old instants,
     * so the policy sees exactly those. The span always reaches the newest old instant that does not run.
     */
    Instants instantsToPlan(String job, Instant first, Schedule schedule, Instant anchor, Instant now,
                            Instant horizon, MisfirePolicy policy, Duration grace) {
        Instant graceStart = now.minus(grace);
        Deque<Instant> old = new ArrayDeque<>();
        long oldCount = 0;
        boolean countIsLowerBound = false;
        Instant oldFirst = null;
        Instant dropped = null; // the newest old instant that fell out of the kept window
        List<Instant> young = new ArrayList<>();
        Instant at = first;
        while (at != null && !at.isAfter(horizon) && young.size() < MAX_INSTANTS_PER_ROUND) {
            if (at.isBefore(graceStart)) {
                if (oldFirst == null) {
                    oldFirst = at;
                }
                oldCount++;
                old.addLast(at);
                if (old.size() > MisfirePolicy.RUN_ALL_CAP) {
                    dropped = old.removeFirst();
                }
                if (oldCount == MAX_MISSED_COUNTED) {
                    Instant windowStart = windowBefore(schedule, anchor, at, graceStart);
                    if (windowStart.isAfter(at)) {
                        countIsLowerBound = true;
                        old.clear();
                        dropped = null;
                        at = schedule.next(windowStart.minusNanos(1), anchor).orElse(null);
                        continue;
                    }
                }
            } else {
                young.add(at);
            }
            at = schedule.next(at, anchor).orElse(null);
        }
        List<Instant> oldRun = policy.toRun(new ArrayList<>(old));
        List<Instant> run = new ArrayList<>(oldRun);
        run.addAll(young);
        MissedSpan missed = null;
        long notRun = oldCount - oldRun.size();
        if (notRun > 0 || (countIsLowerBound && oldRun.size() < old.size() + 1)) {
            Instant missedTo = oldRun.isEmpty() ? old.peekLast() : before(old, oldRun.get(0), dropped);
            String reason = "not planned in time (no leader, or the agent was down); older than the misfire grace of "
                    + GoDuration.format(grace) + "; misfire policy " + policy.name().toLowerCase()
                    + (countIsLowerBound ? "; the count is a lower bound" : "");
            missed = new MissedSpan(job, oldFirst, missedTo, Math.max(notRun, 1), reason, now);
        }
        return new Instants(run, missed);
    }

    /**
     * The start of a window ending at {@code end} that holds at least {@link MisfirePolicy#RUN_ALL_CAP}
     * instants after {@code from}, found by doubling (cheap however long the outage was).
     */
    private static Instant windowBefore(Schedule schedule, Instant anchor, Instant from, Instant end) {
        for (Duration w = Duration.ofSeconds(1); ; w = w.multipliedBy(2)) {
            Instant start = end.minus(w);
            if (!start.isAfter(from)) {
                return from;
            }
            int n = 0;
            for (Instant t = schedule.next(start.minusNanos(1), anchor).orElse(null);
                 t != null && t.isBefore(end) && n <= MisfirePolicy.RUN_ALL_CAP; t = schedule.next(t, anchor).orElse(null)) {
                n++;
            }
            if (n > MisfirePolicy.RUN_ALL_CAP) {
                return start;
            }
        }
    }

    /** The end of the span that does not run: the old instant just before the first that runs. */
    private static Instant before(Deque<Instant> old, Instant firstRun, Instant dropped) {
        Instant prev = dropped;
        for (Instant i : old) {
            if (i.equals(firstRun)) {
                break;
            }
            prev = i;
        }
        // Unknown when the walk jumped past it: the span then ends just before the first run instant.
        return prev != null ? prev : firstRun.minusNanos(1);
    }

    /** The job's {@code misfire} policy; an {@code @after} one-off runs only within its own grace. */
    static MisfirePolicy policyFor(Job job, Schedule schedule) {
        if (schedule.kind() == Schedule.Kind.AFTER) {
            return MisfirePolicy.SKIP;
        }
        return MisfirePolicy.of(job.misfire());
    }

    /** How late an instant of the job may still run: {@code @after}'s grace, the job's, or the default. */
    Duration graceFor(Job job, Schedule schedule) {
        return schedule.catchUpGrace().or(job::ownMisfireGrace).orElse(settings.misfireGrace());
    }

    private static String noTargetReason(Job job) {
        return job.tags() == null || job.tags().isEmpty() ? "no alive member to run the job"
                : "no alive member matches the job's tags " + job.tags();
    }

    private static void sleepQuietly() {
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stop();
    }
}
