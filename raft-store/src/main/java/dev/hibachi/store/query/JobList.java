package dev.hibachi.store.query;

import dev.hibachi.store.model.Job;

import java.util.List;

/** The answer to {@link Query.ListJobs}: one page of jobs, and how many jobs passed the filter in all. */
public record JobList(int total, List<Job> jobs) {
}
