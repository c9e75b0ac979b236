package dev.hibachi.store.index;

import java.util.Comparator;
import java.util.function.ToLongFunction;

/**
 * The orders of a job listing, Dkron's {@code _sort} values. Every order ends with the name, so no two jobs are
 * ever equal and a page is the same however often it is asked for; {@code DESC} reverses the whole order, name
 * included. Text compares regardless of case first (as Dkron's BuntDB indexes do), then exactly; unset times come
 * first.
 *
 * <p>The text orders are kept by the index in sorted sets (they change only when a job is redefined); the
 * numeric ones change with every run and are ranked per query on their {@link #key}.
 */
public enum JobSort {
    NAME("name", Comparator.comparing((JobRow r) -> r.name, NameOrder.INSTANCE), null),
    DISPLAYNAME("displayname", text(r -> r.displayname), null),
    SCHEDULE("schedule", text(r -> r.schedule), null),
    SUCCESS_COUNT("success_count", null, r -> r.successCount),
    ERROR_COUNT("error_count", null, r -> r.errorCount),
    LAST_SUCCESS("last_success", null, r -> r.lastSuccess),
    LAST_ERROR("last_error", null, r -> r.lastError),
    NEXT("next", null, r -> r.next);

    private final String param;
    private final Comparator<JobRow> kept;
    private final ToLongFunction<JobRow> key;

    JobSort(String param, Comparator<JobRow> kept, ToLongFunction<JobRow> key) {
        this.param = param;
        this.kept = kept;
        this.key = key;
    }

    private static Comparator<JobRow> text(java.util.function.Function<JobRow, String> field) {
        return Comparator.comparing(field, String.CASE_INSENSITIVE_ORDER).thenComparing(field)
                .thenComparing((JobRow r) -> r.name, NameOrder.INSTANCE);
    }

    /** The {@code _sort} value that asks for this order. */
    public String param() {
        return param;
    }

    /** The order named by {@code _sort}; Dkron's default {@code id} is the name. Null when there is none. */
    public static JobSort ofParam(String value) {
        if ("id".equals(value)) {
            return NAME;
        }
        for (JobSort s : values()) {
            if (s.param.equals(value)) {
                return s;
            }
        }
        return null;
    }

    /** The ascending order of rows, name last, for an order the index keeps sorted; null for a numeric order. */
    Comparator<JobRow> kept() {
        return kept;
    }

    /** A numeric order's key (ties go by name); null for an order the index keeps sorted. */
    ToLongFunction<JobRow> key() {
        return key;
    }
}
