package dev.hibachi.store.query;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

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
        @JsonSubTypes.Type(value = Query.GetPause.class, name = "GetPause"),
})
public sealed interface Query {

    record GetJob(String name) implements Query {
    }

    /** Jobs in name order after {@code after} (null: from the first), at most {@code limit}. */
    record ListJobs(String after, int limit) implements Query {
    }

    /** A job's executions, newest first, with output cut to its last {@code outputLimit} bytes (-1: all). */
    record ListExecutions(String job, int limit, int outputLimit) implements Query {
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

    record GetPause() implements Query {
    }
}
