package dev.hibachi.store.model;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Derived work: a notification intent, created when the entry that causes it is applied (a run started or
 * finished, instants missed or skipped, an attempt overdue or killed, a job created, changed or deleted, a
 * cluster event). It is self-contained — the job's {@code owner_email} and {@code metadata} are copied in when it
 * is created — so every leader sends the same notice, even after the job is gone. The leader deletes it by
 * committing its delivery.
 *
 * @param deliveryId unique and the same on every replica: the entry's index, a sequence within the entry, and
 *     the entry's time (so a cluster rebuilt from scratch does not reuse ids that receivers remember)
 * @param event the name of a notice event ({@code RUN_FINISHED}, ...)
 * @param at when it happened (the time stamped in the entry)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PendingNotice(
        @JsonProperty("delivery_id") String deliveryId,
        String event,
        Instant at,
        String job,
        @JsonProperty("owner_email") String ownerEmail,
        Map<String, String> metadata,
        @JsonProperty("run_id") long runId,
        String status,
        @JsonProperty("previous_status") String previousStatus,
        List<Attempt> executions,
        String detail) {

    public static final String PREFIX = "notify/";

    public PendingNotice {
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
        executions = executions == null ? List.of() : List.copyOf(executions);
    }

    /** One execution of a run, as it ended (final attempts only), its output cut to its tail. */
    public record Attempt(String id, String node, int attempt,
                          @JsonProperty("started_at") Instant startedAt,
                          @JsonProperty("finished_at") Instant finishedAt,
                          boolean success, @JsonProperty("exit_code") Integer exitCode, String output) {
    }

    /** The delivery id of the {@code seq}th notice of the entry at {@code index}, stamped {@code at}. */
    public static String deliveryId(long index, long seq, Instant at) {
        return index + "-" + seq + "-" + at.toEpochMilli();
    }

    /** The record's key: oldest first, by the entry that created it, so the oldest is the first key. */
    public static String key(String deliveryId) {
        String[] parts = deliveryId.split("-", 3);
        try {
            return PREFIX + String.format("%020d-%06d-%s", Long.parseLong(parts[0]), Long.parseLong(parts[1]),
                    parts.length > 2 ? parts[2] : "");
        } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
            return PREFIX + "~" + deliveryId; // not one of ours: still a key, after every real one
        }
    }

    @JsonIgnore
    public String key() {
        return key(deliveryId);
    }
}
