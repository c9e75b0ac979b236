package dev.hibachi.store.schedule;

/** A schedule string that Hibachi cannot run; the message says what is wrong with it. */
public final class InvalidScheduleException extends Exception {
    private static final long serialVersionUID = 1L;

    InvalidScheduleException(String spec, String reason) {
        this(spec, reason, null);
    }

    InvalidScheduleException(String spec, String reason, Throwable cause) {
        super((spec == null ? "can't parse job schedule: " : "can't parse job schedule \"" + spec + "\": ")
                + reason, cause);
    }
}
