package dev.hibachi.store.rocks;

/** The disk under the store failed: not a bad command, so it stops the replica rather than being recorded. */
public final class StoreIOException extends RuntimeException {
    public StoreIOException(String message, Throwable cause) {
        super(message, cause);
    }
}
