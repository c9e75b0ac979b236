package dev.hibachi.store.event;

/**
 * Receives {@link StoreEvent}s on the apply thread. Implementations must be quick and must not block or
 * write to the store: hand real work to another thread.
 */
@FunctionalInterface
public interface StoreListener {
    void onEvent(StoreEvent event);
}
