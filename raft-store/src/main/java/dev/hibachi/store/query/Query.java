package dev.hibachi.store.query;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.hibachi.store.index.JobFilter;
import dev.hibachi.store.index.JobSort;

import java.time.LocalDate;

/** A read of the store, answered by a replica's state machine (linearizably, through Raft's read index). */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = Query.GetJob.class, name = "GetJob"),
        @JsonSubTypes.Type(value = Query.ListJobs.class, name = "ListJobs"),
        @JsonSubTypes.Type(value = Query.ListExecutions.class, name = "ListExecutions"),
        @JsonSubTypes.Type(value = Query.GetExecution.class, name = "GetExecution"),
        @JsonSubTypes.Type(value = Query.ListMisses.class, name = "ListMisses"),
        @JsonSubTypes.Type(value = Query.ListOpenRuns.class, name = "ListOpenRuns"),
        @JsonSubTypes.Type(value = Query.GetSettings.class, name = "GetSettings"),
        @JsonSubTypes.Type(value = Query.GetRun.class, name = "GetRun"),
        @JsonSubTypes.Type(value = Query.ListRunning.class, name = "ListRunning"),
        @JsonSubTypes.Type(value = Query.GetStats.class, name = "GetStats"),
        @JsonSubTypes.Type(value = Query.CountJobs.class, name = "CountJobs"),
        @JsonSubTypes.Type(value = Query.GetPause.class, name = "GetPause"),
        @JsonSubTypes.Type(value = Query.ListArtifacts.class, name = "ListArtifacts"),
        @JsonSubTypes.Type(value = Query.GetArtifact.class, name = "GetArtifact"),
        @JsonSubTypes.Type(value = Query.ListPendingNotices.class, name = "ListPendingNotices"),
})
public sealed interface Query {

    record GetJob(String name) implements Query {
    }

    /**
     * Pending notification intents, oldest first, after the one keyed {@code after} (null: from the oldest), at
     * most {@code limit} (clamped); answered with {@code total}, the count of all pending.
     */
    record ListPendingNotices(String after, int limit) implements Query {
    }

    /**
     * The jobs that pass {@code filter}, in {@code sort} order (ties by name; {@code descending} reverses the whole
     * order), ranked {@code [start, end)} ({@code end < 0}: to the last), at most {@link QueryHandler#MAX_LIMIT}
     * of them. Answered as a {@link JobList}, whose total counts every job that passed the filter.
     */
    record ListJobs(JobFilter filter, JobSort sort, boolean descending, int start, int end) implements Query {
        public ListJobs {
            filter = filter == null ? JobFilter.NONE : filter;
            sort = sort == null ? JobSort.NAME : sort;
        }

        /** Every job in name order, ranks {@code [start, end)}. */
        public static ListJobs byName(int start, int end) {
            return new ListJobs(JobFilter.NONE, JobSort.NAME, false, start, end);
        }
    }

    /**
     * A job's executions in {@code sort} order (ties in the order of their keys: run, attempt, node;
     * {@code descending} reverses the whole order), ranked {@code [start, end)} ({@code end < 0}: to the last),
     * with output cut to its last {@code outputLimit} bytes (-1: all). Answered as an {@link ExecutionList}.
     */
    record ListExecutions(String job, ExecutionSort sort, boolean descending, int start, int end, int outputLimit)
            implements Query {
        public ListExecutions {
            sort = sort == null ? ExecutionSort.STARTED_AT : sort;
        }

        /**
         * The newest {@code limit} (by start; 0 or less: all, as the limit of this query always meant), output cut to
         * {@code outputLimit} bytes (-1: all).
         */
        public static ListExecutions newest(String job, int limit, int outputLimit) {
            return new ListExecutions(job, ExecutionSort.STARTED_AT, true, 0, limit <= 0 ? -1 : limit, outputLimit);
        }
    }

    record GetExecution(String job, String id) implements Query {
    }

    record ListMisses(String job, int limit) implements Query {
    }

    record ListOpenRuns() implements Query {
    }

    record GetSettings() implements Query {
    }

    /** One run that is not over yet; 404 once it is (its executions remain). */
    record GetRun(String job, @JsonProperty("run_id") long runId) implements Query {
    }

    /** Every attempt running now, across all jobs, oldest start first (Dkron's {@code /v1/busy}). */
    record ListRunning() implements Query {
    }

    /** Per-day counters of the {@code days} UTC days up to {@code today} (the asker's date), oldest first. */
    record GetStats(int days, LocalDate today) implements Query {
    }

    /**
     * How many jobs there are: {@code total}, {@code disabled}, and the enabled ones by their last finished run's
     * status ({@code success}, {@code failed}, {@code partially_failed}, {@code untriggered}).
     */
    record CountJobs() implements Query {
    }

    record GetPause() implements Query {
    }

    /** An execution's artifacts, as {@link dev.hibachi.store.model.ArtifactFile}s in path order. */
    record ListArtifacts(String job, String id) implements Query {
    }

    /** One artifact's bytes (the reply's value is {@code {"path", "size", "data"}}, data in base64). */
    record GetArtifact(String job, String id, String path) implements Query {
    }
}
