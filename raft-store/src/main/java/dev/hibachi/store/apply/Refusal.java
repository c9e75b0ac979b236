package dev.hibachi.store.apply;

/** Thrown inside apply to refuse a command whole: nothing of the entry is written, the reason is returned. */
public final class Refusal extends Exception {
    private final int status;
    private final String field;

    public Refusal(int status, String message, String field) {
        super(message, null, false, false);
        this.status = status;
        this.field = field;
    }

    public static Refusal invalid(String field, String message) {
        return new Refusal(400, message, field);
    }

    public static Refusal notFound(String message) {
        return new Refusal(404, message, null);
    }

    public static Refusal conflict(String message) {
        return new Refusal(409, message, null);
    }

    public Reply result() {
        return Reply.refused(status, getMessage(), field);
    }
}
