package dev.hibachi.agent.dispatch;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

/**
 * The transport of a single-node cluster: orders and acks are handed over in this JVM, on a thread of
 * their own, so the sender never runs the receiver's code.
 */
public final class InProcessTransport implements RunTransport {
    private final ExecutorService delivery = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "run-transport");
        t.setDaemon(true);
        return t;
    });
    private volatile Consumer<RunOrder> orders = o -> { };
    private volatile Consumer<RunAck> acks = a -> { };

    @Override
    public void sendOrder(String node, RunOrder order) {
        delivery.execute(() -> orders.accept(order));
    }

    @Override
    public void sendAck(String leader, RunAck ack) {
        delivery.execute(() -> acks.accept(ack));
    }

    @Override
    public void onOrder(Consumer<RunOrder> handler) {
        this.orders = handler;
    }

    @Override
    public void onAck(Consumer<RunAck> handler) {
        this.acks = handler;
    }

    @Override
    public void close() {
        delivery.shutdownNow();
    }
}
