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
        "attempt", "scheduled_at", "exit_code", "status", "output_truncated"})
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
        @JsonProperty("output_truncated") Boolean outputTruncated) {

    public static final String RUNNING = "running";
    public static final String SUCCEEDED = "success";
    public static final String FAILED = "failed";

    public static String idOf(long runId, int attempt, String node) {
        return runId + "-" + attempt + "-" + node;
    }

    public Execution withOutput(String text, Boolean truncated) {
        return new Execution(id, jobName, startedAt, finishedAt, success, text, nodeName, group, attempt, scheduledAt,
                exitCode, status, truncated);
    }

    public boolean finished() {
        return finishedAt != null;
    }
}
