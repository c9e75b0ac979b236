package dev.hibachi.agent.cluster;

import dev.hibachi.agent.dispatch.RunAck;
import dev.hibachi.agent.dispatch.RunOrder;
import dev.hibachi.agent.dispatch.RunTransport;
import org.jgroups.Address;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Run orders and acks over the cluster channel, addressed by member name. Best effort, as
 * {@link RunTransport} allows: an order for a member not in the view, a message that arrives malformed, or
 * one that finds its delivery queue full is logged and dropped, because the leader re-sends every order until
 * it is acknowledged (and a member answers every re-sent order again).
 *
 * <p>Handlers may block (the runner fsyncs its journal before it acknowledges), so orders and acks are each
 * handed over on a thread of their own, never on a JGroups thread; each keeps the order in which one sender
 * sent them. An order or ack too large for one message is split into several.
 */
public final class JGroupsTransport implements RunTransport {
    private static final Logger LOG = LoggerFactory.getLogger(JGroupsTransport.class);

    static final String ORDER = "run-order";
    static final String ACK = "run-ack";
    /** Messages waiting for a slow handler; beyond this they are dropped and come again with the re-send. */
    private static final int QUEUED = 1_000;

    private final ClusterChannel channel;
    private final ThreadPoolExecutor orderDelivery = deliveryThread("run-orders");
    private final ThreadPoolExecutor ackDelivery = deliveryThread("run-acks");
    private volatile Consumer<RunOrder> orders = o -> { };
    private volatile Consumer<RunAck> acks = a -> { };

    /** Routes orders and acks arriving on {@code channel}; register before it connects. */
    public JGroupsTransport(ClusterChannel channel) {
        this.channel = channel;
        channel.on(ORDER, RunOrder.class, (from, order) -> {
            if (wellFormed(order) && sentBy(from, order.leader())) {
                orderDelivery.execute(() -> deliver(orders, order));
            } else {
                LOG.warn("dropped a run order from {}: incomplete, or not in its own name", from);
            }
        });
        channel.on(ACK, RunAck.class, (from, ack) -> {
            if (wellFormed(ack) && sentBy(from, ack.node())) {
                ackDelivery.execute(() -> deliver(acks, ack));
            } else {
                LOG.warn("dropped a run ack from {}: incomplete, or not in its own name", from);
            }
        });
    }

    @Override
    public void sendOrder(String node, RunOrder order) {
        addressOf(node, "order").ifPresent(to -> send(to, ORDER, order.attempts(),
                part -> new RunOrder(order.leader(), order.term(), part)));
    }

    @Override
    public void sendAck(String leader, RunAck ack) {
        addressOf(leader, "ack").ifPresent(to -> send(to, ACK, ack.entries(),
                part -> new RunAck(ack.node(), ack.incarnation(), part)));
    }

    @Override
    public void onOrder(Consumer<RunOrder> handler) {
        this.orders = handler;
    }

    @Override
    public void onAck(Consumer<RunAck> handler) {
        this.acks = handler;
    }

    /** Stops delivering; the channel is closed by its owner. */
    @Override
    public void close() {
        orderDelivery.shutdownNow();
        ackDelivery.shutdownNow();
    }

    private Optional<Address> addressOf(String node, String what) {
        Optional<Address> to = channel.address(node);
        if (to.isEmpty()) {
            LOG.debug("{} is not in the view; dropped an {} for it", node, what);
        }
        return to;
    }

    /** Sends {@code items} in one message, or halves them until each part fits. */
    private <T> void send(Address to, String type, List<T> items, Function<List<T>, Object> message) {
        if (channel.send(to, type, message.apply(items))) {
            return;
        }
        if (items.size() < 2) {
            LOG.error("dropped a {} to {}: one entry is larger than {} bytes", type, to,
                    ClusterChannel.MAX_MESSAGE_BYTES);
            return;
        }
        int half = items.size() / 2;
        send(to, type, items.subList(0, half), message);
        send(to, type, items.subList(half, items.size()), message);
    }

    private static <T> void deliver(Consumer<T> handler, T message) {
        try {
            handler.accept(message);
        } catch (RuntimeException e) {
            LOG.error("handling {} failed", message, e);
        }
    }

    /** A member speaks only for itself: the name in the message must be its sender's. */
    private static boolean sentBy(Address from, String claimed) {
        return MemberAddress.read(from).map(m -> m.name().equals(claimed)).orElse(false);
    }

    private static boolean wellFormed(RunOrder order) {
        return order.leader() != null && order.attempts() != null && order.attempts().stream().allMatch(a ->
                a != null && a.job() != null && a.job().name() != null && a.incarnation() != null
                        && a.scheduledAt() != null && a.notBefore() != null);
    }

    private static boolean wellFormed(RunAck ack) {
        return ack.node() != null && ack.incarnation() != null && ack.entries() != null
                && ack.entries().stream().allMatch(e -> e != null && e.key() != null && e.state() != null);
    }

    private static ThreadPoolExecutor deliveryThread(String name) {
        return new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(QUEUED), r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        }, (task, pool) -> {
            if (!pool.isShutdown()) {
                LOG.warn("{} queue is full; dropped a message (it is re-sent until acknowledged)", name);
            }
        });
    }
}
