package dev.hibachi.store.query;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

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
}
