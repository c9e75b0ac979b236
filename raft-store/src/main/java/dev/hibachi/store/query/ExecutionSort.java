package dev.hibachi.store.query;

import dev.hibachi.store.model.Execution;

import java.time.Instant;
import java.util.Comparator;

/**
 * The orders of a job's executions, Dkron's {@code _sort} values for {@code GET /v1/jobs/{name}/executions}.
 * An unset time (a running execution's {@code finished_at}) comes first, as Go's zero time that the API shows.
 */
public enum ExecutionSort {
    STARTED_AT("started_at", Comparator.comparing(Execution::startedAt, Comparator.nullsFirst(Instant::compareTo))),
    FINISHED_AT("finished_at", Comparator.comparing(Execution::finishedAt, Comparator.nullsFirst(Instant::compareTo))),
    ATTEMPT("attempt", Comparator.comparingInt(Execution::attempt));

    private final String param;
    private final Comparator<Execution> order;

    ExecutionSort(String param, Comparator<Execution> order) {
        this.param = param;
        this.order = order;
    }

    public String param() {
        return param;
    }

    /** The order named by {@code _sort}; Dkron's default {@code id} is {@code started_at}. Null when there is none. */
    public static ExecutionSort ofParam(String value) {
        if ("id".equals(value)) {
            return STARTED_AT;
        }
        for (ExecutionSort s : values()) {
            if (s.param.equals(value)) {
                return s;
            }
        }
        return null;
    }

    /** Ascending by this field alone; a stable sort keeps ties in the order it was given. */
    Comparator<Execution> ascending() {
        return order;
    }
}
