package dev.hibachi.agent.cluster;

import dev.hibachi.agent.cluster.TestNodes.Node;
import dev.hibachi.agent.dispatch.RunAck;
import dev.hibachi.agent.dispatch.RunOrder;
import dev.hibachi.store.model.Job;
import org.jgroups.Message;
import org.jgroups.protocols.TCP;
import org.jgroups.stack.Protocol;
import org.jgroups.stack.ProtocolStack;
import org.jgroups.util.MessageBatch;
import org.jgroups.util.Util;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code --encrypt} on real channels on loopback: members that share the key form one cluster and talk as usual;
 * a member with another key, or none, never gets in (nor does a keyed one get into a cluster in clear); what leaves
 * a member is unreadable without the key, its identity included; and a message altered on the way is dropped, then
 * resent intact.
 */
class ClusterEncryptionTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final GossipKey KEY = GossipKey.generate(GossipKey.DEFAULT_SIZE, RANDOM);

    private final List<Node> nodes = new ArrayList<>();

    @AfterEach
    void stop() {
        nodes.forEach(Node::close);
    }

    private Node start(String name, Map<String, String> tags, Optional<GossipKey> key, Node... join) throws Exception {
        List<Integer> ports = new ArrayList<>();
        for (Node n : join) {
            ports.add(n.port());
        }
        Node node = TestNodes.start(name, tags, true, JGroupsMembership.DEFAULT_RECONNECT_TIMEOUT,
                TestNodes.gossipPort(), ports, key);
        nodes.add(node);
        return node;
    }

    private static List<String> alive(Node n) {
        return n.membership().members().stream().filter(Member::alive).map(Member::name).sorted().toList();
    }

    private static RunOrder order(String command, Node from, Node to) {
        Job job = Job.of("backup", "@every 1m", "shell", Map.of("command", command));
        return new RunOrder(from.name(), 3, List.of(new RunOrder.Attempt(job, 41, 1, to.incarnation(),
                Instant.parse("2026-05-01T02:30:00Z"), Instant.parse("2026-05-01T02:30:00Z"))));
    }

    @Test
    void membersWithTheSameKeyFormOneClusterAndTalk() throws Exception {
        Node a = start("a", Map.of(), Optional.of(KEY));
        Node b = start("b", Map.of("role", "web"), Optional.of(KEY), a);
        Node c = start("c", Map.of(), Optional.of(GossipKey.parse(KEY.base64())), a); // the key as its text gives it
        await().atMost(WAIT).until(() -> alive(a).equals(List.of("a", "b", "c")) && alive(b).equals(alive(a))
                && alive(c).equals(alive(a)));
        assertThat(c.membership().member("b").orElseThrow().tags()).isEqualTo(Map.of("role", "web"));

        // A run order and its ack, as the leader's dispatcher and the member's runner exchange them.
        List<RunOrder> orders = new CopyOnWriteArrayList<>();
        List<RunAck> acks = new CopyOnWriteArrayList<>();
        b.transport().onOrder(orders::add);
        a.transport().onAck(acks::add);
        RunOrder order = order("echo hello", a, b);
        a.transport().sendOrder("b", order);
        await().atMost(WAIT).until(() -> !orders.isEmpty());
        assertThat(orders).containsExactly(order);
        RunAck ack = new RunAck("b", b.incarnation(),
                List.of(new RunAck.Entry(order.attempts().get(0).key(), RunAck.State.ACCEPTED, null)));
        b.transport().sendAck("a", ack);
        await().atMost(WAIT).until(() -> !acks.isEmpty());
        assertThat(acks).containsExactly(ack);

        // A leave notice is a message too: the others record a leave, not a failure.
        c.leave();
        await().atMost(WAIT).until(() -> a.statusOf("c") == Member.Status.LEFT && b.statusOf("c") == Member.Status.LEFT);
    }

    /**
     * Every outsider asks to join as soon as it starts, and a partition would be merged within ~8 s (MERGE3 checks
     * every 1.6 × 5 s): so each must still be alone after that long, and the cluster untouched.
     */
    @Test
    void anotherKeyOrNoKeyNeverGetsIn() throws Exception {
        Node a = start("a", Map.of(), Optional.of(KEY));
        Node b = start("b", Map.of(), Optional.of(KEY), a);
        await().atMost(WAIT).until(() -> alive(a).equals(List.of("a", "b")) && alive(b).equals(List.of("a", "b")));

        Node otherKey = start("other-key", Map.of(), Optional.of(GossipKey.generate(16, RANDOM)), a, b);
        Node noKey = start("no-key", Map.of(), Optional.empty(), a, b);
        Node keyedIntoClear = start("keyed-into-clear", Map.of(), Optional.of(KEY), noKey); // the key, but a cluster in clear

        await().during(Duration.ofSeconds(9)).atMost(Duration.ofSeconds(12)).pollInterval(Duration.ofMillis(200))
                .until(() -> alive(a).equals(List.of("a", "b")) && alive(b).equals(List.of("a", "b"))
                        && alive(otherKey).equals(List.of("other-key")) && alive(noKey).equals(List.of("no-key"))
                        && alive(keyedIntoClear).equals(List.of("keyed-into-clear")));
        for (Node n : List.of(a, b, otherKey, noKey, keyedIntoClear)) {
            assertThat(n.channel().jgroups().view().size()).as("%s's view", n.name())
                    .isEqualTo(n == a || n == b ? 2 : 1);
        }
    }

    /**
     * What the transport is handed, just above it (the frame is that plus the cluster's name), by the first member
     * and by one that joins it: with the key, neither a run order's command nor either member's identity (name,
     * tags, HTTP address) is in it, not even in the join request; without, all are, which shows the tap sees them
     * when they are there.
     */
    @ParameterizedTest(name = "key: {0}")
    @ValueSource(booleans = {true, false})
    void nothingReadableReachesTheTransport(boolean keyed) throws Exception {
        Optional<GossipKey> key = keyed ? Optional.of(KEY) : Optional.empty();
        Tap tap = new Tap();
        Node a = start("leader-q7", Map.of("zone", "tag-value-q7"), key);
        tap.insertInto(a.channel());
        int port = TestNodes.gossipPort(); // the joiner's channel is built by hand, to be tapped before it joins
        ClusterChannel joiner = new ClusterChannel(
                TestNodes.identity("joiner-q7", Map.of("rack", "rack-value-q7"), false, port),
                TestNodes.settings(port, List.of(a.port())).withKey(key));
        Node b = new Node(joiner, new JGroupsMembership(joiner, JGroupsMembership.DEFAULT_RECONNECT_TIMEOUT,
                Clock.systemUTC()), new JGroupsTransport(joiner), List.of(), List.of());
        nodes.add(b);
        tap.insertInto(joiner);
        joiner.connect();
        await().atMost(WAIT).until(() -> alive(a).size() == 2 && alive(b).size() == 2);
        List<RunOrder> orders = new CopyOnWriteArrayList<>();
        b.transport().onOrder(orders::add);

        a.transport().sendOrder("joiner-q7", order("echo command-q7", a, b));
        await().atMost(WAIT).until(() -> !orders.isEmpty());

        String sent = tap.text();
        assertThat(sent).as("frames were tapped").isNotEmpty();
        for (String secret : List.of("command-q7", "leader-q7", "tag-value-q7", a.channel().self().httpAddress(),
                "joiner-q7", "rack-value-q7", joiner.self().httpAddress())) {
            if (keyed) {
                assertThat(sent).doesNotContain(secret);
            } else {
                assertThat(sent).contains(secret);
            }
        }
    }

    /**
     * The wire itself: a stranger listening at an address a member was told to join reads what the member sends it
     * (its discovery request): with the key, nothing of who the member is; without, its name and tags.
     */
    @ParameterizedTest(name = "key: {0}")
    @ValueSource(booleans = {true, false})
    void aStrangerAtAJoinAddressLearnsNothing(boolean keyed) throws Exception {
        int strangerPort = TestNodes.gossipPort();
        String heard;
        try (ServerSocket stranger = new ServerSocket(strangerPort, 1, InetAddress.getLoopbackAddress())) {
            stranger.setSoTimeout((int) WAIT.toMillis());
            Node member = TestNodes.start("member-q7", Map.of("zone", "tag-value-q7"), true,
                    JGroupsMembership.DEFAULT_RECONNECT_TIMEOUT, TestNodes.gossipPort(), List.of(strangerPort),
                    keyed ? Optional.of(KEY) : Optional.empty());
            nodes.add(member);
            try (Socket s = stranger.accept()) {
                heard = readUntilQuiet(s);
            }
        }
        assertThat(heard).as("the member talked to the stranger").hasSizeGreaterThan(50);
        if (keyed) {
            assertThat(heard).doesNotContain("member-q7").doesNotContain("tag-value-q7");
        } else {
            assertThat(heard).contains("member-q7").contains("tag-value-q7");
        }
    }

    /**
     * Authentication, not only secrecy: a sealed message with one bit flipped on the way fails its tag and is
     * dropped, never delivered altered; once the path is clean, the sender's retransmission arrives, once, intact.
     */
    @Test
    void anAlteredMessageIsDroppedThenResentIntact() throws Exception {
        Node a = start("a", Map.of(), Optional.of(KEY));
        Node b = start("b", Map.of(), Optional.of(KEY), a);
        await().atMost(WAIT).until(() -> alive(a).size() == 2 && alive(b).size() == 2);
        List<RunOrder> orders = new CopyOnWriteArrayList<>();
        b.transport().onOrder(orders::add);
        BitFlipper flipper = new BitFlipper(2_000); // only the order is that large: heartbeats keep flowing
        flipper.setAddress(b.channel().jgroups().getAddress());
        b.channel().jgroups().getProtocolStack().insertProtocol(flipper, ProtocolStack.Position.ABOVE, TCP.class);

        RunOrder order = order("echo " + "x".repeat(3_000), a, b);
        a.transport().sendOrder("b", order);
        await().atMost(WAIT).until(() -> flipper.flipped.get() >= 2); // the first send and a retransmission
        assertThat(orders).isEmpty();
        assertThat(alive(b)).containsExactly("a", "b");

        flipper.on = false;
        await().atMost(WAIT).until(() -> !orders.isEmpty());
        Thread.sleep(1_000); // room for a duplicate to show
        assertThat(orders).containsExactly(order);
    }

    private static String readUntilQuiet(Socket s) throws IOException {
        s.setSoTimeout(1_500);
        ByteArrayOutputStream heard = new ByteArrayOutputStream();
        InputStream in = s.getInputStream();
        byte[] buf = new byte[4096];
        try {
            for (int n; (n = in.read(buf)) > 0 && heard.size() < 1 << 20; ) {
                heard.write(buf, 0, n);
            }
        } catch (SocketTimeoutException quiet) {
            // what was sent has been read
        }
        return heard.toString(StandardCharsets.ISO_8859_1);
    }

    /** Records, as bytes, every message handed to the transports it is inserted above. */
    static final class Tap extends Protocol {
        private final ByteArrayOutputStream sent;

        void insertInto(ClusterChannel channel) throws Exception {
            Tap copy = new Tap(sent); // one instance per stack, one record for all
            channel.jgroups().getProtocolStack().insertProtocol(copy, ProtocolStack.Position.ABOVE, TCP.class);
        }

        Tap() {
            this(new ByteArrayOutputStream());
        }

        private Tap(ByteArrayOutputStream sent) {
            this.sent = sent;
        }

        @Override
        public Object down(Message msg) {
            try {
                byte[] bytes = Util.messageToBuffer(msg).bytes();
                synchronized (sent) {
                    sent.writeBytes(bytes);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return down_prot.down(msg);
        }

        String text() {
            synchronized (sent) {
                return sent.toString(StandardCharsets.ISO_8859_1);
            }
        }
    }

    /** Flips the last bit of every message of at least {@code size} bytes that arrives, while on. */
    static final class BitFlipper extends Protocol {
        private final int size;
        final AtomicInteger flipped = new AtomicInteger();
        volatile boolean on = true;

        BitFlipper(int size) {
            this.size = size;
        }

        @Override
        public Object up(Message msg) {
            flip(msg);
            return up_prot.up(msg);
        }

        @Override
        public void up(MessageBatch batch) {
            batch.forEach(this::flip);
            up_prot.up(batch);
        }

        private void flip(Message msg) {
            if (on && msg.hasArray() && msg.getLength() >= size) {
                msg.getArray()[msg.getOffset() + msg.getLength() - 1] ^= 1;
                flipped.incrementAndGet();
            }
        }
    }
}
