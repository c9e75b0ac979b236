package dev.hibachi.e2e;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;
import java.time.OffsetDateTime;

/** One execution as {@code GET /v1/jobs/{name}/executions} shows it. */
public record Execution(String id, String job, long group, int attempt, String node, Instant scheduledAt,
                        Instant startedAt, Instant finishedAt, boolean success, String output) {

    static Execution of(JsonNode e) {
        return new Execution(e.path("id").asText(""), e.path("job_name").asText(""), e.path("group").asLong(),
                e.path("attempt").asInt(1), e.path("node_name").asText(""), time(e.path("scheduled_at")),
                time(e.path("started_at")), time(e.path("finished_at")), e.path("success").asBoolean(false),
                e.path("output").asText(""));
    }

    public boolean finished() {
        return finishedAt != null;
    }

    public boolean started() {
        return startedAt != null;
    }

    /** {@code started_at − scheduled_at} in nanoseconds. */
    public long latenessNanos() {
        return java.time.Duration.between(scheduledAt, startedAt).toNanos();
    }

    /** An RFC 3339 time; null for a missing value, JSON null, "" or Go's zero time (Dkron's "not yet"). */
    static Instant time(JsonNode node) {
        String text = node == null || node.isNull() ? "" : node.asText("");
        if (text.isEmpty() || text.startsWith("0001-01-01")) {
            return null;
        }
        return OffsetDateTime.parse(text).toInstant();
    }

    @Override
    public String toString() {
        return job + " group " + group + " attempt " + attempt + " on " + (node.isEmpty() ? "-" : node)
                + " scheduled " + scheduledAt + " started " + startedAt + " finished " + finishedAt
                + (finished() ? (success ? " ok" : " failed") : " running")
                + (output.isEmpty() ? "" : " output \"" + abbreviate(output.strip().replace('\n', ' ')) + "\"");
    }

    private static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "…";
    }
}
