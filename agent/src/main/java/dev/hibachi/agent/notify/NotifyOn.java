package dev.hibachi.agent.notify;

import java.util.Locale;

/**
 * When a channel is told about a finished run ({@code --notify-on}, {@code notify.on} in a job's metadata).
 * Missed, skipped, overdue and killed runs are failures of a kind: every rule but {@code success} passes them.
 */
public enum NotifyOn {
    /** Every run (Dkron's behaviour, the default). */
    ALWAYS,
    /** Runs that did not succeed. */
    FAILURE,
    SUCCESS,
    /**
     * Runs whose success differs from the previous run's (failed, partially failed and killed are all "not a
     * success"). A job's first run counts as following a success: a first failure notifies, a first success not.
     */
    CHANGE,
    /** Nothing (per job or per channel only). */
    NEVER;

    /** The rule named {@code text}; the error names {@code field}, the flag or metadata key it came from. */
    public static NotifyOn parse(String field, String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException(field + ": '" + text + "' must be one of always, failure, success,"
                    + " change, never");
        }
    }

    /** Whether a finished run with {@code status}, after one with {@code previousStatus} (null: none), passes. */
    public boolean passesRun(String status, String previousStatus) {
        boolean ok = "success".equals(status);
        boolean wasOk = previousStatus == null || "success".equals(previousStatus);
        return switch (this) {
            case ALWAYS -> true;
            case FAILURE -> !ok;
            case SUCCESS -> ok;
            case CHANGE -> ok != wasOk;
            case NEVER -> false;
        };
    }

    /** Whether a missed, skipped, overdue or killed run passes. */
    public boolean passesTrouble() {
        return this == ALWAYS || this == FAILURE || this == CHANGE;
    }

    public String flagValue() {
        return name().toLowerCase(Locale.ROOT);
    }
}
