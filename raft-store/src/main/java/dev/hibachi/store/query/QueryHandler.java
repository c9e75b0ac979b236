package dev.hibachi.store.query;

import dev.hibachi.store.apply.Reply;
import dev.hibachi.store.index.JobIndex;
import dev.hibachi.store.model.DayStats;
import dev.hibachi.store.model.Execution;
import dev.hibachi.store.model.Job;
import dev.hibachi.store.model.OutputTail;
import dev.hibachi.store.model.Run;
import dev.hibachi.store.rocks.JobDatabase;
import dev.hibachi.store.rocks.Keys;
import dev.hibachi.store.rocks.StoreView;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Answers {@link Query}s from a replica's committed store. */
public final class QueryHandler {
    /** The most records one answer holds (a list without a slice, or with a wider one, is cut there). */
    public static final int MAX_LIMIT = 10_000;

    private final JobDatabase db;
    private final StoreView view;

    public QueryHandler(JobDatabase db) {
        this.db = db;
        this.view = new StoreView(db);
    }

    public Reply answer(Query query) {
        if (query instanceof Query.GetJob q) {
            return view.job(q.name()).map(Reply::ok)
                    .orElseGet(() -> Reply.refused(404, "job not found: " + q.name(), null));
        } else if (query instanceof Query.ListJobs q) {
            return Reply.ok(jobs(q));
        } else if (query instanceof Query.ListExecutions q) {
            if (view.job(q.job()).isEmpty()) {
                return Reply.refused(404, "job not found: " + q.job(), null);
            }
            return Reply.ok(executions(q));
        } else if (query instanceof Query.GetExecution q) {
            return Execution.parseId(q.id())
                    .flatMap(id -> view.execution(Keys.execution(q.job(), id.runId(), id.attempt(), id.node())))
                    .map(e -> Reply.ok(withOutput(e, -1)))
                    .orElseGet(() -> Reply.refused(404, "execution not found: " + q.id(), null));
        } else if (query instanceof Query.ListMisses q) {
            if (view.job(q.job()).isEmpty()) {
                return Reply.refused(404, "job not found: " + q.job(), null);
            }
            return Reply.ok(view.misses(q.job(), clamp(q.limit())));
        } else if (query instanceof Query.ListPendingNotices q) {
            return Reply.ok(Map.of("total", view.pendingNoticeCount(),
                    "notices", view.pendingNotices(q.after(), clamp(q.limit()))));
        } else if (query instanceof Query.ListOpenRuns) {
            return Reply.ok(view.openRuns());
        } else if (query instanceof Query.GetRun q) {
            return view.run(q.job(), q.runId()).map(Reply::ok)
                    .orElseGet(() -> Reply.refused(404, "run " + q.runId() + " of job " + q.job() + " is not open", null));
        } else if (query instanceof Query.ListRunning) {
            return Reply.ok(running());
        } else if (query instanceof Query.GetStats q) {
            List<DayStats> days = new ArrayList<>();
            for (int back = q.days() - 1; back >= 0; back--) {
                days.add(view.dayStats(q.today().minusDays(back)));
            }
            return Reply.ok(days);
        } else if (query instanceof Query.CountJobs) {
            return Reply.ok(jobCounts());
        } else if (query instanceof Query.GetPause) {
            return Reply.ok(view.pause());
        } else if (query instanceof Query.ListArtifacts q) {
            return executionKey(q.job(), q.id()).map(key -> Reply.ok(view.artifacts(key)))
                    .orElseGet(() -> notFound(q.job(), q.id()));
        } else if (query instanceof Query.GetArtifact q) {
            Optional<byte[]> key = executionKey(q.job(), q.id());
            if (key.isEmpty()) {
                return notFound(q.job(), q.id());
            }
            return view.artifact(key.get(), q.path())
                    .map(data -> Reply.ok(Map.of("path", q.path(), "size", data.length, "data", data)))
                    .orElseGet(() -> Reply.refused(404, "artifact not found: " + q.path() + " (execution " + q.id()
                            + ")", null));
        } else if (query instanceof Query.GetSettings) {
            return view.settings().map(Reply::ok)
                    .orElseGet(() -> Reply.refused(503, "the cluster is not initialized yet", null));
        }
        return Reply.refused(400, "unknown query", null);
    }

    /** The attempts that are running: a running slot's execution, written when its start was reported. */
    private List<Execution> running() {
        List<Execution> out = new ArrayList<>();
        for (Run run : view.openRuns()) {
            for (Run.Slot slot : run.slots()) {
                if (slot.state() == Run.SlotState.RUNNING) {
                    view.execution(Keys.execution(run.job(), run.runId(), slot.attempt(), slot.target().node()))
                            .ifPresent(out::add);
                }
            }
        }
        out.sort(Comparator.comparing(Execution::startedAt).thenComparing(Execution::id));
        return out;
    }

    private Map<String, Integer> jobCounts() {
        JobIndex.Counts c = db.jobIndex().counts();
        Map<String, Integer> out = new LinkedHashMap<>();
        out.put("total", c.total());
        for (String status : List.of("success", "failed", "partially_failed")) {
            out.put(status, c.enabledByStatus().getOrDefault(status, 0));
        }
        out.put("untriggered", c.enabledByStatus().getOrDefault("", 0));
        out.put("disabled", c.disabled());
        return out;
    }

    /**
     * The page the job index chooses, its jobs read from a RocksDB snapshot taken with the choice: every job on the
     * page is there, as the row that placed it describes it.
     */
    private JobList jobs(Query.ListJobs q) {
        int start = Math.max(0, q.start());
        int end = (int) Math.min(q.end() < 0 ? Integer.MAX_VALUE : q.end(), (long) start + MAX_LIMIT);
        JobIndex.Selection<JobDatabase.Snapshot> chosen = db.jobIndex().select(q.filter(), q.sort(), q.descending(),
                start, end, db::snapshot);
        List<Job> jobs = new ArrayList<>(chosen.names().size());
        try (JobDatabase.Snapshot at = chosen.state()) {
            StoreView page = new StoreView(at);
            for (String name : chosen.names()) {
                page.job(name).ifPresent(jobs::add);
            }
        }
        return new JobList(chosen.total(), jobs);
    }

    /**
     * Every execution of the job (at most {@code --executions-kept}, so sorting them here is cheap), sorted, sliced;
     * outputs are read for the slice only.
     */
    private ExecutionList executions(Query.ListExecutions q) {
        List<Execution> all = view.executions(q.job(), Integer.MAX_VALUE);
        Collections.reverse(all); // oldest key first: ties stay in key order through the stable sort
        all.sort(q.sort().ascending());
        if (q.descending()) {
            Collections.reverse(all);
        }
        int total = all.size();
        int start = Math.min(Math.max(0, q.start()), total);
        int end = (int) Math.min(Math.min(q.end() < 0 ? total : q.end(), total), (long) start + MAX_LIMIT);
        List<Execution> page = new ArrayList<>();
        for (int i = start; i < end; i++) {
            page.add(withOutput(all.get(i), q.outputLimit()));
        }
        return new ExecutionList(total, page);
    }

    private Execution withOutput(Execution e, int outputLimit) {
        String output = view.output(Keys.execution(e.jobName(), e.group(), e.attempt(), e.nodeName())).orElse(null);
        if (output == null || outputLimit < 0) {
            return e.withOutput(output, null);
        }
        String cut = OutputTail.last(output, outputLimit);
        return e.withOutput(cut, cut.length() != output.length());
    }

    /** The key of an execution that exists, so that an unknown one is told apart from one with no artifacts. */
    private Optional<byte[]> executionKey(String job, String id) {
        return Execution.parseId(id)
                .map(ref -> Keys.execution(job, ref.runId(), ref.attempt(), ref.node()))
                .filter(key -> view.execution(key).isPresent());
    }

    private Reply notFound(String job, String id) {
        return view.job(job).isEmpty() ? Reply.refused(404, "job not found: " + job, null)
                : Reply.refused(404, "execution not found: " + id, null);
    }

    private static int clamp(int limit) {
        return limit <= 0 ? MAX_LIMIT : Math.min(limit, MAX_LIMIT);
    }
}
