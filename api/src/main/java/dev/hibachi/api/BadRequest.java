package dev.hibachi.api;

/**
 * A request the API refuses before it reaches the store: a bad body or parameter. {@link ErrorHandlers} turns
 * it into its status with a JSON body naming the problem and, when it is about one, the field or parameter.
 */
final class BadRequest extends Exception {
    private final int status;
    private final String field;

    BadRequest(String message, String field) {
        this(400, message, field);
    }

    BadRequest(int status, String message, String field) {
        super(message, null, false, false);
        this.status = status;
        this.field = field;
    }

    int status() {
        return status;
    }

    String field() {
        return field;
    }
}
