package dev.hibachi.agent.dispatch;

import java.util.function.Consumer;

/**
 * Carries {@link RunOrder}s from the leader to members and {@link RunAck}s back. Delivery is best effort:
 * the leader re-sends until acknowledged, so an implementation may drop or repeat messages.
 */
public interface RunTransport extends AutoCloseable {

    void sendOrder(String node, RunOrder order);

    void sendAck(String leader, RunAck ack);

    void onOrder(Consumer<RunOrder> handler);

    void onAck(Consumer<RunAck> handler);

    @Override
    default void close() {
    }
}
