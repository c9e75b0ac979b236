package dev.hibachi.agent.cluster;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

/** Agents' cluster parts on loopback for the cluster tests: a channel with its membership and transport. */
final class TestNodes {
    private TestNodes() {
    }

    /** One member: its channel, membership and transport, and every membership event it saw, in order. */
    record Node(ClusterChannel channel, JGroupsMembership membership, JGroupsTransport transport,
                List<MembershipEvent> events, List<String> eventThreads) implements AutoCloseable {

        String name() {
            return channel.self().name();
        }

        String incarnation() {
            return channel.self().incarnation();
        }

        int port() {
            return channel.self().gossipPort();
        }

        Member.Status statusOf(String name) {
            return membership.member(name).map(Member::status).orElse(null);
        }

        /** A graceful stop, as an agent's shutdown does it. */
        void leave() {
            membership.leave();
            close();
        }

        @Override
        public void close() {
            transport.close();
            channel.close();
            membership.close();
        }
    }

    static Node start(String name, Map<String, String> tags, boolean server, Duration reconnectTimeout,
                      int port, List<Integer> join) throws Exception {
        return start(name, tags, server, reconnectTimeout, port, join, Optional.empty());
    }

    /** A member whose messages are sealed with {@code key} (none: in clear). */
    static Node start(String name, Map<String, String> tags, boolean server, Duration reconnectTimeout,
                      int port, List<Integer> join, Optional<GossipKey> key) throws Exception {
        Member self = identity(name, tags, server, port);
        ClusterChannel channel = new ClusterChannel(self, settings(port, join).withKey(key));
        JGroupsMembership membership = new JGroupsMembership(channel, reconnectTimeout, Clock.systemUTC());
        JGroupsTransport transport = new JGroupsTransport(channel);
        List<MembershipEvent> events = new CopyOnWriteArrayList<>();
        List<String> threads = new CopyOnWriteArrayList<>();
        membership.addListener(e -> {
            events.add(e);
            threads.add(Thread.currentThread().getName());
        });
        try {
            channel.connect();
        } catch (Exception e) {
            channel.close();
            throw e;
        }
        return new Node(channel, membership, transport, events, threads);
    }

    static Member identity(String name, Map<String, String> tags, boolean server, int port) {
        return new Member(name, UUID.randomUUID().toString(), tags, server, "127.0.0.1:" + (port + 1),
                "127.0.0.1:" + (port + 2), "127.0.0.1", port, Member.Status.ALIVE);
    }

    static ClusterChannel.Settings settings(int port, List<Integer> join) {
        List<InetSocketAddress> hosts = new ArrayList<>();
        for (int p : join) {
            hosts.add(new InetSocketAddress("127.0.0.1", p));
        }
        return ClusterChannel.Settings.defaults(new InetSocketAddress("127.0.0.1", port), hosts);
    }

    /**
     * A loopback port that was free a moment ago, with the failure detector's port (+100) free too. Below
     * 32768, so no outgoing connection takes it meanwhile as its ephemeral port.
     */
    static int gossipPort() {
        for (int i = 0; i < 100; i++) {
            int port = 20_000 + (int) (Math.random() * 12_000);
            if (free(port) && free(port + ClusterChannel.FAILURE_DETECTOR_OFFSET)) {
                return port;
            }
        }
        throw new IllegalStateException("no free port pair found");
    }

    private static boolean free(int port) {
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
