package dev.hibachi.store.query;

import dev.hibachi.store.model.Execution;

import java.util.List;

/** The answer to {@link Query.ListExecutions}: one page of a job's executions, and how many the job has. */
public record ExecutionList(int total, List<Execution> executions) {
}
