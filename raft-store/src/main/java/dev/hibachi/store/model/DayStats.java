package dev.hibachi.store.model;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;

/**
 * Dkron's per-day counters ({@code GET /v1/stats}): the attempts that finished on one UTC day, by outcome.
 * They are kept apart from the executions, so clearing a job's history or evicting old executions leaves
 * them alone, as in Dkron.
 */
public record DayStats(Instant date, @JsonProperty("success_count") long successCount,
                       @JsonProperty("failed_count") long failedCount) {

    /** How many days of counters the store keeps (Dkron's {@code days} goes up to 365). */
    public static final int DAYS_KEPT = 366;

    public static DayStats empty(LocalDate day) {
        return new DayStats(day.atStartOfDay().toInstant(ZoneOffset.UTC), 0, 0);
    }

    public DayStats plus(boolean success) {
        return new DayStats(date, successCount + (success ? 1 : 0), failedCount + (success ? 0 : 1));
    }

    /** The META key of one day's counters; ISO dates sort by day. */
    public static String key(LocalDate day) {
        return "stats/" + day;
    }
}
