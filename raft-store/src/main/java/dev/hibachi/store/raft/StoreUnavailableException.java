package dev.hibachi.store.raft;

/** The job store could not answer: no leader, no quorum, or the request timed out. Worth retrying later. */
public final class StoreUnavailableException extends Exception {
    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
