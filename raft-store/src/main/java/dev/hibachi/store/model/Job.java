package dev.hibachi.store.model;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import dev.hibachi.store.json.ZeroTimeDeserializer;
import dev.hibachi.store.json.ZeroTimeSerializer;

import dev.hibachi.store.schedule.GoDuration;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A job, with Dkron's fields and JSON names (notes/dkron.md §2.1), so Dkron's clients read and write it
 * unchanged. The counters, {@code status}, {@code next}, {@code last_*} and {@code dependent_jobs} are kept
 * by the store: what a client sends for them never lowers what the store holds.
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
@JsonPropertyOrder({"id", "name", "displayname", "timezone", "schedule", "owner", "owner_email", "success_count",
        "error_count", "last_success", "last_error", "disabled", "tags", "metadata", "retries", "dependent_jobs",
        "parent_job", "processors", "concurrency", "executor", "executor_config", "status", "next", "ephemeral",
        "starts_at", "expires_at", "misfire", "misfire_grace", "expected_duration", "retry_backoff", "missed_count",
        "skipped_count"})
public record Job(
        String id,
        String name,
        String displayname,
        String timezone,
        String schedule,
        String owner,
        @JsonProperty("owner_email") String ownerEmail,
        @JsonProperty("success_count") long successCount,
        @JsonProperty("error_count") long errorCount,
        @JsonProperty("last_success") @JsonDeserialize(using = ZeroTimeDeserializer.class) Instant lastSuccess,
        @JsonProperty("last_error") @JsonDeserialize(using = ZeroTimeDeserializer.class) Instant lastError,
        boolean disabled,
        Map<String, String> tags,
        Map<String, String> metadata,
        int retries,
        @JsonProperty("dependent_jobs") List<String> dependentJobs,
        @JsonProperty("parent_job") String parentJob,
        Map<String, Map<String, String>> processors,
        String concurrency,
        String executor,
        @JsonProperty("executor_config") Map<String, String> executorConfig,
        String status,
        @JsonSerialize(using = ZeroTimeSerializer.class, nullsUsing = ZeroTimeSerializer.class)
        @JsonDeserialize(using = ZeroTimeDeserializer.class) Instant next,
        boolean ephemeral,
        @JsonProperty("starts_at") @JsonDeserialize(using = ZeroTimeDeserializer.class) Instant startsAt,
        @JsonProperty("expires_at") @JsonDeserialize(using = ZeroTimeDeserializer.class) Instant expiresAt,
        // Hibachi's additions: what happens to instants that passed unplanned, the run time after which a
        // running attempt is flagged overdue, the retry pacing, and how many instants did not run.
        String misfire,
        @JsonProperty("misfire_grace") String misfireGrace,
        @JsonProperty("expected_duration") String expectedDuration,
        @JsonProperty("retry_backoff") Backoff retryBackoff,
        @JsonProperty("missed_count") long missedCount,
        @JsonProperty("skipped_count") long skippedCount) {

    public static final String CONCURRENCY_ALLOW = "allow";
    public static final String CONCURRENCY_FORBID = "forbid";
    public static final String MISFIRE_RUN_ONCE = "run_once";
    public static final String MISFIRE_SKIP = "skip";
    public static final String MISFIRE_RUN_ALL = "run_all";

    /** A minimal job, for tests and tools. */
    public static Job of(String name, String schedule, String executor, Map<String, String> executorConfig) {
        return new Job(name, name, "", "", schedule, "", "", 0, 0, null, null, false, null, null, 0, null, "", null,
                CONCURRENCY_ALLOW, executor, executorConfig, "", null, false, null, null, MISFIRE_RUN_ONCE, "", "",
                null, 0, 0);
    }

    /** This job as submitted, with the fields only the store decides taken from {@code stored} (or reset). */
    public Job mergedWith(Job stored, List<String> dependents) {
        long success = stored == null ? Math.max(0, successCount) : Math.max(stored.successCount, successCount);
        long errors = stored == null ? Math.max(0, errorCount) : Math.max(stored.errorCount, errorCount);
        Instant lastOk = stored == null ? lastSuccess : latest(stored.lastSuccess, lastSuccess);
        Instant lastErr = stored == null ? lastError : latest(stored.lastError, lastError);
        String keptStatus = stored == null ? "" : stored.status;
        Instant keptNext = stored == null ? null : stored.next;
        return new Job(name, name, nz(displayname), nz(timezone), nz(schedule), nz(owner), nz(ownerEmail), success,
                errors, lastOk, lastErr, disabled, tags, metadata, retries, dependents.isEmpty() ? null : dependents,
                nz(parentJob), processors, concurrency == null || concurrency.isEmpty() ? CONCURRENCY_ALLOW : concurrency,
                nz(executor), executorConfig, keptStatus, keptNext, ephemeral, startsAt, expiresAt,
                misfire == null || misfire.isEmpty() ? MISFIRE_RUN_ONCE : misfire, nz(misfireGrace),
                nz(expectedDuration), retryBackoff, stored == null ? 0 : stored.missedCount,
                stored == null ? 0 : stored.skippedCount);
    }

    public Job withNext(Instant value) {
        return new Job(id, name, displayname, timezone, schedule, owner, ownerEmail, successCount, errorCount,
                lastSuccess, lastError, disabled, tags, metadata, retries, dependentJobs, parentJob, processors,
                concurrency, executor, executorConfig, status, value, ephemeral, startsAt, expiresAt, misfire,
                misfireGrace, expectedDuration, retryBackoff, missedCount, skippedCount);
    }

    public Job withDisabled(boolean value) {
        return new Job(id, name, displayname, timezone, schedule, owner, ownerEmail, successCount, errorCount,
                lastSuccess, lastError, value, tags, metadata, retries, dependentJobs, parentJob, processors,
                concurrency, executor, executorConfig, status, next, ephemeral, startsAt, expiresAt, misfire,
                misfireGrace, expectedDuration, retryBackoff, missedCount, skippedCount);
    }

    public Job withDependents(List<String> value) {
        return new Job(id, name, displayname, timezone, schedule, owner, ownerEmail, successCount, errorCount,
                lastSuccess, lastError, disabled, tags, metadata, retries, value == null || value.isEmpty() ? null : value,
                parentJob, processors, concurrency, executor, executorConfig, status, next, ephemeral, startsAt,
                expiresAt, misfire, misfireGrace, expectedDuration, retryBackoff, missedCount, skippedCount);
    }

    /** The counters and status after one attempt's final result. */
    public Job withResult(boolean success, Instant finishedAt, String newStatus) {
        return new Job(id, name, displayname, timezone, schedule, owner, ownerEmail,
                successCount + (success ? 1 : 0), errorCount + (success ? 0 : 1),
                success ? latest(lastSuccess, finishedAt) : lastSuccess,
                success ? lastError : latest(lastError, finishedAt),
                disabled, tags, metadata, retries, dependentJobs, parentJob, processors, concurrency, executor,
                executorConfig, newStatus, next, ephemeral, startsAt, expiresAt, misfire, misfireGrace,
                expectedDuration, retryBackoff, missedCount, skippedCount);
    }

    /** The status alone (a run was queued, released or skipped). */
    public Job withStatus(String value) {
        return new Job(id, name, displayname, timezone, schedule, owner, ownerEmail, successCount, errorCount,
                lastSuccess, lastError, disabled, tags, metadata, retries, dependentJobs, parentJob, processors,
                concurrency, executor, executorConfig, value, next, ephemeral, startsAt, expiresAt, misfire,
                misfireGrace, expectedDuration, retryBackoff, missedCount, skippedCount);
    }

    /** {@code missed} more instants that the misfire policy did not run, {@code skipped} more that forbid skipped. */
    public Job withMisses(long missed, long skipped) {
        return new Job(id, name, displayname, timezone, schedule, owner, ownerEmail, successCount, errorCount,
                lastSuccess, lastError, disabled, tags, metadata, retries, dependentJobs, parentJob, processors,
                concurrency, executor, executorConfig, status, next, ephemeral, startsAt, expiresAt, misfire,
                misfireGrace, expectedDuration, retryBackoff, missedCount + missed, skippedCount + skipped);
    }

    /** Counters, last times and status cleared, as {@code DELETE /v1/jobs/{name}/executions} does. */
    public Job withHistoryCleared() {
        return new Job(id, name, displayname, timezone, schedule, owner, ownerEmail, 0, 0, null, null, disabled, tags,
                metadata, retries, dependentJobs, parentJob, processors, concurrency, executor, executorConfig, "",
                next, ephemeral, startsAt, expiresAt, misfire, misfireGrace, expectedDuration, retryBackoff, 0, 0);
    }

    @JsonIgnore
    public boolean forbidsOverlap() {
        return CONCURRENCY_FORBID.equals(concurrency);
    }

    /** {@code misfire_grace}, if the job sets one (else the scheduler's default, 60 s). */
    @JsonIgnore
    public Optional<Duration> ownMisfireGrace() {
        return duration(misfireGrace);
    }

    /** {@code expected_duration}, if the job has one. */
    @JsonIgnore
    public Optional<Duration> expectedRunTime() {
        return duration(expectedDuration);
    }

    private static Optional<Duration> duration(String text) {
        return text == null || text.isEmpty() ? Optional.empty() : Optional.of(GoDuration.parse(text));
    }

    @JsonIgnore
    public boolean isChild() {
        return parentJob != null && !parentJob.isEmpty();
    }

    private static Instant latest(Instant a, Instant b) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        return a.isAfter(b) ? a : b;
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }
}
