package dev.hibachi.store.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import dev.hibachi.store.json.ZeroTimeDeserializer;
import dev.hibachi.store.json.ZeroTimeSerializer;

import java.time.Instant;

/**
 * One attempt of one run on one member, in Dkron's JSON shape (notes/dkron.md §2.2). {@code group} is the
 * run's id; {@code scheduled_at}, {@code exit_code} and {@code status} are Hibachi's additions.
 * A running execution has no {@code finished_at} (written as Go's zero time, as Dkron's UI expects).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"id", "job_name", "started_at", "finished_at", "success", "output", "node_name", "group",
        "attempt", "scheduled_at", "exit_code", "status", "output_truncated", "killed_by", "overdue"})
public record Execution(
        String id,
        @JsonProperty("job_name") String jobName,
        @JsonProperty("started_at") Instant startedAt,
        @JsonProperty("finished_at") @JsonInclude(JsonInclude.Include.ALWAYS)
        @JsonSerialize(using = ZeroTimeSerializer.class, nullsUsing = ZeroTimeSerializer.class)
        @JsonDeserialize(using = ZeroTimeDeserializer.class) Instant finishedAt,
        boolean success,
        String output,
        @JsonProperty("node_name") String nodeName,
        long group,
        int attempt,
        @JsonProperty("scheduled_at") Instant scheduledAt,
        @JsonProperty("exit_code") Integer exitCode,
        String status,
        @JsonProperty("output_truncated") Boolean outputTruncated,
        @JsonProperty("killed_by") String killedBy,
        Boolean overdue) {

    public static final String RUNNING = "running";
    public static final String SUCCEEDED = "success";
    public static final String FAILED = "failed";
    /** Failed because someone asked for the kill ({@code killed_by} says who). */
    public static final String KILLED = "killed";

    public Execution(String id, String jobName, Instant startedAt, Instant finishedAt, boolean success, String output,
                     String nodeName, long group, int attempt, Instant scheduledAt, Integer exitCode, String status,
                     Boolean outputTruncated) {
        this(id, jobName, startedAt, finishedAt, success, output, nodeName, group, attempt, scheduledAt, exitCode,
                status, outputTruncated, null, null);
    }

    public static String idOf(long runId, int attempt, String node) {
        return runId + "-" + attempt + "-" + node;
    }

    /** What an execution id ({@link #idOf}) names. */
    public record Ref(long runId, int attempt, String node) {
    }

    /** Reads an execution id back; empty when it is not one. Node names may hold dashes, run ids may not. */
    public static java.util.Optional<Ref> parseId(String id) {
        if (id == null) {
            return java.util.Optional.empty();
        }
        int first = id.indexOf('-');
        int second = first < 0 ? -1 : id.indexOf('-', first + 1);
        if (first <= 0 || second < 0) {
            return java.util.Optional.empty();
        }
        try {
            long runId = Long.parseLong(id.substring(0, first));
            int attempt = Integer.parseInt(id.substring(first + 1, second));
            return runId < 0 || attempt < 1 ? java.util.Optional.empty()
                    : java.util.Optional.of(new Ref(runId, attempt, id.substring(second + 1)));
        } catch (NumberFormatException e) {
            return java.util.Optional.empty();
        }
    }

    public Execution withOutput(String text, Boolean truncated) {
        return new Execution(id, jobName, startedAt, finishedAt, success, text, nodeName, group, attempt, scheduledAt,
                exitCode, status, truncated, killedBy, overdue);
    }

    /** Flagged as running longer than the job's {@code expected_duration}. */
    public Execution flaggedOverdue() {
        return new Execution(id, jobName, startedAt, finishedAt, success, output, nodeName, group, attempt,
                scheduledAt, exitCode, status, outputTruncated, killedBy, true);
    }

    public boolean finished() {
        return finishedAt != null;
    }
}
