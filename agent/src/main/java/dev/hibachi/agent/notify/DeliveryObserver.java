package dev.hibachi.agent.notify;

/** Told of each delivery and each failure (metrics); called on the notifier's thread, must not block. */
public interface DeliveryObserver {
    DeliveryObserver NONE = new DeliveryObserver() {
    };

    default void delivered(String channel, Notice notice) {
    }

    /** {@code willRetry} false: the channel gave up on this notice (it is older than the maximum age). */
    default void failed(String channel, Notice notice, Throwable error, boolean willRetry) {
    }
}
