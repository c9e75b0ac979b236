package dev.hibachi.agent.cluster;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.hibachi.store.json.Json;
import org.jgroups.Address;
import org.jgroups.BytesMessage;
import org.jgroups.JChannel;
import org.jgroups.Message;
import org.jgroups.Receiver;
import org.jgroups.View;
import org.jgroups.protocols.FD_ALL3;
import org.jgroups.protocols.FD_SOCK2;
import org.jgroups.protocols.FRAG4;
import org.jgroups.protocols.MERGE3;
import org.jgroups.protocols.MFC;
import org.jgroups.protocols.RSVP;
import org.jgroups.protocols.SERIALIZE;
import org.jgroups.protocols.SYM_ENCRYPT;
import org.jgroups.protocols.TCP;
import org.jgroups.protocols.TCPPING;
import org.jgroups.protocols.UFC;
import org.jgroups.protocols.UNICAST3;
import org.jgroups.protocols.VERIFY_SUSPECT2;
import org.jgroups.protocols.pbcast.GMS;
import org.jgroups.protocols.pbcast.NAKACK2;
import org.jgroups.protocols.pbcast.STABLE;
import org.jgroups.stack.AddressGenerator;
import org.jgroups.util.ExtendedUUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * This agent's one JGroups channel, over TCP with a static join list, built in code. It announces the
 * agent's identity in its address ({@link MemberAddress}), carries typed JSON messages
 * ({@code {"type": …, "body": …}}) to one member or to all, and reports views.
 *
 * <p>Views and messages are handed to their listeners on JGroups threads: listeners must not block (they
 * pass the work to an executor of their own). A malformed, oversized or unknown message is logged and
 * dropped; nothing a peer sends can throw into JGroups.
 */
public final class ClusterChannel implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterChannel.class);

    /** The JGroups cluster every agent joins; the join list, not the name, keeps clusters apart. */
    public static final String CLUSTER = "hibachi";
    /** The largest message accepted or sent (JSON bytes); larger ones are dropped. */
    public static final int MAX_MESSAGE_BYTES = 4 << 20;
    /** The largest TCP frame read: a guard against a garbage length prefix (views are not fragmented). */
    private static final int MAX_FRAME_BYTES = 16 << 20;
    /** The longest {@link #broadcastAndWait} waits for members that do not answer. */
    private static final Duration RSVP_TIMEOUT = Duration.ofSeconds(1);
    /** FD_SOCK2 listens on the gossip port plus this (DESIGN.md, defaults). */
    public static final int FAILURE_DETECTOR_OFFSET = 100;

    static {
        // Addresses print as the member's name, as plain UUIDs do, not with the whole identity in every log line.
        ExtendedUUID.setPrintFunction(org.jgroups.util.UUID::printName);
    }

    private static final ObjectReader READER = Json.mapper().reader()
            .without(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES); // a newer peer may add fields

    /**
     * How the channel binds, whom it joins, and how fast it decides. {@code heartbeatTimeout} +
     * {@code heartbeatInterval} + {@code verifyTimeout} bounds how long a silent member stays in the view;
     * {@code verifyTimeout} alone is most of the time a killed process stays (its sockets close at once).
     */
    public record Settings(InetSocketAddress bind, List<InetSocketAddress> join, Duration joinTimeout,
                           Duration heartbeatTimeout, Duration heartbeatInterval, Duration verifyTimeout,
                           Duration mergeMinInterval, Duration mergeMaxInterval, Optional<GossipKey> key) {
        public static final int DEFAULT_PORT = 8946;

        public Settings {
            join = List.copyOf(join);
            Objects.requireNonNull(key, "key");
        }

        /**
         * The measured defaults: a first node starts in ~1 s, a kill is seen in ~1 s, silence in ≤ 7 s. No
         * encryption.
         */
        public static Settings defaults(InetSocketAddress bind, List<InetSocketAddress> join) {
            return new Settings(bind, join, Duration.ofSeconds(1), Duration.ofSeconds(4), Duration.ofSeconds(1),
                    Duration.ofMillis(500), Duration.ofSeconds(2), Duration.ofSeconds(5), Optional.empty());
        }

        public Settings withJoinTimeout(Duration value) {
            return new Settings(bind, join, value, heartbeatTimeout, heartbeatInterval, verifyTimeout,
                    mergeMinInterval, mergeMaxInterval, key);
        }

        /** These settings with every message sealed with {@code value} (none: in clear). */
        public Settings withKey(Optional<GossipKey> value) {
            return new Settings(bind, join, joinTimeout, heartbeatTimeout, heartbeatInterval, verifyTimeout,
                    mergeMinInterval, mergeMaxInterval, value);
        }
    }

    /** The wire form of every message. */
    private record Envelope(String type, JsonNode body) {
    }

    private record Route<T>(Class<T> type, BiConsumer<Address, T> handler) {
        void deliver(Address from, JsonNode body) throws java.io.IOException {
            handler.accept(from, READER.forType(type).readValue(body));
        }
    }

    private final Member self;
    private final boolean sealed;
    private final JChannel channel;
    private final Map<String, Route<?>> routes = new ConcurrentHashMap<>();
    private final List<Consumer<View>> viewListeners = new CopyOnWriteArrayList<>();
    private volatile Map<String, MemberAddress.Located> members = Map.of();

    /**
     * A channel announcing {@code self} (whose incarnation must be a UUID: it becomes the JGroups address);
     * not yet connected, so that listeners can be added before the first view.
     */
    public ClusterChannel(Member self, Settings settings) throws Exception {
        this.self = self;
        this.sealed = settings.key().isPresent();
        MemberAddress.of(self); // fail here, not in connect(), on an identity that does not fit an address
        this.channel = new JChannel(stack(self, settings));
        channel.name(self.name());
        channel.addAddressGenerator(new AddressGenerator() {
            @Override
            public Address generateAddress() {
                return MemberAddress.of(self);
            }

            @Override
            public Address generateAddress(String name) {
                return MemberAddress.of(self);
            }
        });
        channel.setReceiver(new Receiver() {
            @Override
            public void receive(Message msg) {
                ClusterChannel.this.receive(msg);
            }

            @Override
            public void viewAccepted(View view) {
                ClusterChannel.this.viewAccepted(view);
            }
        });
    }

    /** Bottom (transport) first, as JGroups stacks are listed. */
    private static List<org.jgroups.stack.Protocol> stack(Member self, Settings s) throws UnknownHostException {
        InetAddress bind = InetAddress.getByName(s.bind().getHostString());
        InetAddress advertised = InetAddress.getByName(self.gossipHost());
        TCP tcp = new TCP().setBindAddr(bind).setBindPort(s.bind().getPort()).setPortRange(0);
        tcp.setMaxLength(MAX_FRAME_BYTES).tcpNodelay(true);
        tcp.useVirtualThreads(false); // Java 17 has none; the bundled XML asks for them
        FD_SOCK2 socketDetector = new FD_SOCK2().setBindAddress(bind).setOffset(FAILURE_DETECTOR_OFFSET)
                .setPortRange(0);
        if (!advertised.equals(bind) || self.gossipPort() != s.bind().getPort()) {
            tcp.setExternalAddr(advertised).setExternalPort(self.gossipPort());
            socketDetector.setExternalAddress(advertised);
        }
        List<InetSocketAddress> hosts = new ArrayList<>();
        hosts.add(new InetSocketAddress(advertised, self.gossipPort()));
        for (InetSocketAddress j : s.join()) {
            InetSocketAddress resolved = j.isUnresolved() ? new InetSocketAddress(j.getHostString(), j.getPort()) : j;
            if (resolved.isUnresolved()) {
                LOG.warn("join address {} does not resolve; joining without it", j);
            } else if (!hosts.contains(resolved)) {
                hosts.add(resolved);
            }
        }
        TCPPING discovery = new TCPPING().setInitialHosts(hosts).setPortRange(0);
        discovery.returnEntireCache(true).asyncDiscovery(true); // late joiners learn everybody
        NAKACK2 multicasts = new NAKACK2();
        multicasts.setValue("use_mcast_xmit", false); // TCP has no IP multicast
        List<org.jgroups.stack.Protocol> stack = new ArrayList<>();
        stack.add(tcp);
        s.key().ifPresent(key -> stack.addAll(sealing(key)));
        stack.addAll(List.of(
                discovery,
                new MERGE3().setMinInterval(s.mergeMinInterval().toMillis())
                        .setMaxInterval(s.mergeMaxInterval().toMillis()),
                socketDetector,
                new FD_ALL3().setTimeout(s.heartbeatTimeout().toMillis()).setInterval(s.heartbeatInterval().toMillis()),
                new VERIFY_SUSPECT2().setTimeout(s.verifyTimeout().toMillis()),
                multicasts,
                new UNICAST3(),
                new STABLE().setDesiredAverageGossip(50_000).setMaxBytes(4 << 20),
                new GMS().printLocalAddress(false).setJoinTimeout(s.joinTimeout().toMillis()).setMaxJoinAttempts(3),
                new UFC().setMaxCredits(2 << 20).setMinThreshold(0.4),
                new MFC().setMaxCredits(2 << 20).setMinThreshold(0.4),
                new FRAG4(),
                // Only messages flagged RSVP wait; each member acks after its receiver has taken the message.
                new RSVP().setTimeout(RSVP_TIMEOUT.toMillis()).setResendInterval(RSVP_TIMEOUT.toMillis() / 4)
                        .throwExceptionOnTimeout(false)));
        return stack;
    }

    /**
     * The protocols that seal every message with the cluster's key, right above the transport, so that discovery,
     * merging and failure detection are sealed too, not only what sits above NAKACK2: a member with another key (or
     * none) cannot even be discovered. Bottom up: {@link ClearEnvelope} leaves only bare UUIDs and the cipher's
     * header in clear; SYM_ENCRYPT seals the payload and drops every message that was not sealed with this key
     * (another key's fingerprint, no seal, or a forgery that fails Poly1305); SERIALIZE, above it, folds each
     * message whole (headers and full addresses too, not only the payload) into the payload that is sealed.
     */
    private static List<org.jgroups.stack.Protocol> sealing(GossipKey key) {
        SYM_ENCRYPT cipher = new SYM_ENCRYPT().symAlgorithm(GossipKey.CIPHER).symIvLength(12); // a 96-bit nonce
        cipher.setSecretKey(key.cipherKey());
        return List.of(new ClearEnvelope(cipher), cipher, new SERIALIZE());
    }

    public Member self() {
        return self;
    }

    /** Called with every view, on a JGroups thread: must not block. */
    public void onView(Consumer<View> listener) {
        viewListeners.add(listener);
    }

    /**
     * Routes messages of {@code type} to {@code handler} with their sender, on a JGroups thread: must not
     * block. Messages from one sender arrive in the order sent.
     */
    public <T> void on(String type, Class<T> bodyType, BiConsumer<Address, T> handler) {
        if (routes.putIfAbsent(type, new Route<>(bodyType, handler)) != null) {
            throw new IllegalStateException("message type " + type + " already has a handler");
        }
    }

    /** Joins the cluster; the first member of a cluster waits the join timeout for others first. */
    public void connect() throws Exception {
        channel.connect(CLUSTER);
        LOG.info("Joined the cluster as {} ({}){}, view {}", self.name(), self.incarnation(),
                sealed ? " with gossip encrypted by the --encrypt key" : "", channel.view());
    }

    /** The address of the member called {@code name} in the current view. */
    public Optional<Address> address(String name) {
        return Optional.ofNullable(members.get(name)).map(MemberAddress.Located::address);
    }

    /**
     * Sends {@code body} as a message of {@code type} to one member ({@code to}), or to all with {@code null}.
     * Delivery is best effort: a send that JGroups refuses (the channel is closing) is logged.
     *
     * @return false if the message is larger than {@link #MAX_MESSAGE_BYTES} and was not sent
     */
    public boolean send(Address to, String type, Object body) {
        return send(to, type, body, false);
    }

    /** Sends to every member, this one included. */
    public boolean broadcast(String type, Object body) {
        return send(null, type, body, false);
    }

    /**
     * Sends to every member and returns once each has handed it to its handler, or after a second for members
     * that do not answer. What a member does next (leave the view) then reaches the others after this message.
     */
    public boolean broadcastAndWait(String type, Object body) {
        return send(null, type, body, true);
    }

    private boolean send(Address to, String type, Object body, boolean awaitDelivery) {
        byte[] bytes = Json.write(new Envelope(type, Json.mapper().valueToTree(body)));
        if (bytes.length > MAX_MESSAGE_BYTES) {
            return false;
        }
        Message msg = new BytesMessage(to, bytes);
        if (awaitDelivery) {
            msg.setFlag(Message.Flag.RSVP);
        }
        try {
            channel.send(msg);
        } catch (Exception e) {
            LOG.debug("sending {} to {} failed: {}", type, to == null ? "all" : to, e.toString());
        }
        return true;
    }

    /** The JGroups channel itself, for tests that act on its stack. */
    JChannel jgroups() {
        return channel;
    }

    /** Leaves the cluster (others see a graceful leave) and releases the ports. */
    @Override
    public void close() {
        channel.close();
    }

    private void viewAccepted(View view) {
        members = MemberAddress.byName(view);
        for (Consumer<View> listener : viewListeners) {
            try {
                listener.accept(view);
            } catch (RuntimeException e) {
                LOG.error("a view listener failed on {}", view, e);
            }
        }
    }

    private void receive(Message msg) {
        Address from = msg.getSrc();
        if (!msg.hasArray() || msg.getLength() > MAX_MESSAGE_BYTES) {
            LOG.warn("dropped a message from {}: {} bytes, not a JSON message of at most {}", from,
                    msg.getLength(), MAX_MESSAGE_BYTES);
            return;
        }
        Envelope envelope;
        try {
            envelope = READER.readValue(msg.getArray(), msg.getOffset(), msg.getLength(), Envelope.class);
        } catch (java.io.IOException | RuntimeException e) {
            LOG.warn("dropped a malformed message from {}: {}", from, e.toString());
            return;
        }
        if (envelope == null || envelope.type() == null || envelope.body() == null || envelope.body().isNull()) {
            LOG.warn("dropped a message from {} without a type or body", from);
            return;
        }
        Route<?> route = routes.get(envelope.type());
        if (route == null) {
            LOG.debug("dropped a message of unknown type {} from {}", envelope.type(), from); // a newer peer's
            return;
        }
        try {
            route.deliver(from, envelope.body());
        } catch (java.io.IOException e) {
            LOG.warn("dropped a malformed {} message from {}: {}", envelope.type(), from, e.toString());
        } catch (RuntimeException e) {
            LOG.error("the {} handler failed on a message from {}", envelope.type(), from, e);
        }
    }
}
