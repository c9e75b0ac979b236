package dev.hibachi.store.raft;

/**
 * Told how long each write ({@link StoreClient#submit}) took from proposal to reply, for measurement: the store
 * knows no metrics library, the agent binds one. Called on the client's reply threads; must be quick.
 */
@FunctionalInterface
public interface SubmitObserver {
    SubmitObserver NONE = (nanos, answered) -> {
    };

    /**
     * @param nanos    from the proposal to its reply (committed and applied, or refused) or failure
     * @param answered true when the store replied; false when it could not be reached
     */
    void submitted(long nanos, boolean answered);
}
