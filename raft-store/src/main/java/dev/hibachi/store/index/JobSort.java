package dev.hibachi.store.index;

import java.util.Comparator;

/**
 * The orders of a job listing, Dkron's {@code _sort} values. Every order ends with the name, so no two jobs are
 * ever equal and a page is the same however often it is asked for; {@code DESC} reverses the whole order, name
 * included. Text compares regardless of case (as Dkron's BuntDB indexes do); unset times come first.
 */
public enum JobSort {
    NAME("name", Comparator.comparing((JobRow r) -> r.name, NameOrder.INSTANCE)),
    DISPLAYNAME("displayname", Comparator.comparing((JobRow r) -> r.foldedDisplayname)
            .thenComparing(r -> r.displayname)),
    SCHEDULE("schedule", Comparator.comparing((JobRow r) -> r.schedule, String.CASE_INSENSITIVE_ORDER)
            .thenComparing(r -> r.schedule)),
    SUCCESS_COUNT("success_count", Comparator.comparingLong(r -> r.successCount)),
    ERROR_COUNT("error_count", Comparator.comparingLong(r -> r.errorCount)),
    LAST_SUCCESS("last_success", Comparator.comparingLong(r -> r.lastSuccess)),
    LAST_ERROR("last_error", Comparator.comparingLong(r -> r.lastError)),
    NEXT("next", Comparator.comparingLong(r -> r.next));

    private final String param;
    private final Comparator<JobRow> ascending;

    JobSort(String param, Comparator<JobRow> byField) {
        this.param = param;
        this.ascending = param.equals("name") ? byField
                : byField.thenComparing((JobRow r) -> r.name, NameOrder.INSTANCE);
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

    Comparator<JobRow> rows(boolean descending) {
        return descending ? ascending.reversed() : ascending;
    }
}
