package dev.hibachi.agent;

import dev.hibachi.store.apply.Reply;
import dev.hibachi.store.model.Job;
import dev.hibachi.store.model.JobValidator;
import dev.hibachi.store.model.Pause;
import dev.hibachi.store.query.Query;
import dev.hibachi.store.raft.ReadConsistency;
import dev.hibachi.store.raft.StoreClient;
import dev.hibachi.store.raft.StoreUnavailableException;
import dev.hibachi.store.schedule.InvalidScheduleException;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;

/**
 * What the store would decide about a put of a job that passed {@link JobService}'s own checks, decided from
 * linearizable reads instead of a proposal, so nothing is written: the refusals are the store's, word for word
 * (submissions paused, a missing parent, a parent cycle), in the store's order. The answer is
 * {@code {"valid": true, "job": <the job as it would be stored>}}. A write between these reads and a real put
 * can still change the verdict; a dry run is advice, the put decides.
 */
final class JobDryRun {
    private final StoreClient client;
    private final Duration timeout;

    JobDryRun(StoreClient client, Duration timeout) {
        this.client = client;
        this.timeout = timeout;
    }

    Reply decide(Job job, ZoneId defaultZone, Instant now) throws StoreUnavailableException {
        Reply pause = read(new Query.GetPause());
        if (!pause.ok()) {
            return pause;
        }
        if (pause.valueAs(Pause.class).paused()) {
            return Reply.refused(503, "New job submissions are currently paused (POST /v1/unpause resumes them)",
                    null);
        }
        Job stored = stored(job.name());
        if (job.isChild()) {
            Job parent = stored(job.parentJob());
            if (parent == null) {
                return Reply.refused(404, "specified parent job not found: " + job.parentJob(), null);
            }
            for (Job p = parent; p != null && p.isChild(); p = stored(p.parentJob())) {
                if (p.parentJob().equals(job.name())) {
                    return Reply.refused(400, "parent_job would make a cycle: " + job.name() + " is an ancestor of "
                            + job.parentJob(), "parent_job");
                }
            }
        }
        List<String> dependents = stored == null || stored.dependentJobs() == null ? List.of() : stored.dependentJobs();
        Job merged = job.mergedWith(stored, dependents);
        return Reply.ok(Map.of("valid", true, "job", merged.withNext(next(merged, stored, defaultZone, now))));
    }

    /**
     * The {@code next} the store would keep: the stored one while the timing is unchanged, else the first
     * instant after now, {@code @every} counting from now, as the store anchors a schedule when it is set.
     */
    private static Instant next(Job job, Job stored, ZoneId defaultZone, Instant now) {
        if (job.disabled() || job.isChild() || job.schedule().isBlank()) {
            return null;
        }
        boolean timingChanged = stored == null || !stored.schedule().equals(job.schedule())
                || !stored.timezone().equals(job.timezone()) || stored.disabled();
        if (!timingChanged) {
            return stored.next();
        }
        try {
            return JobValidator.scheduleOf(job, defaultZone).next(now, now).orElse(null);
        } catch (InvalidScheduleException | JobValidator.InvalidJobException e) {
            return null;
        }
    }

    private Job stored(String name) throws StoreUnavailableException {
        Reply r = read(new Query.GetJob(name));
        if (!r.ok() && !Integer.valueOf(404).equals(r.status())) {
            throw new StoreUnavailableException(r.error(), null);
        }
        return r.ok() ? r.valueAs(Job.class) : null;
    }

    private Reply read(Query query) throws StoreUnavailableException {
        return client.query(query, ReadConsistency.LINEARIZABLE, timeout);
    }
}
