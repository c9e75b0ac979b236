package dev.hibachi.agent.cluster;

import dev.hibachi.agent.cluster.MembershipEvent.Type;
import dev.hibachi.agent.cluster.TestNodes.Node;
import org.jgroups.protocols.DISCARD;
import org.jgroups.protocols.TCP;
import org.jgroups.stack.ProtocolStack;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

/**
 * Membership over real JGroups channels on loopback: identities in addresses, Serf's statuses, reaping, and
 * the failure-detection times that DESIGN.md promises (a killed process in ≤ 2 s, a silent host in ≤ 7 s).
 * The bounds below add slack for a loaded two-core machine; the measured times are printed.
 */
class JGroupsMembershipTest {
    private static final Duration POLL = Duration.ofMillis(20);
    private static final Duration SLACK = Duration.ofMillis(1500);

    private final List<Node> nodes = new ArrayList<>();
    private Process child;

    @TempDir
    Path tmp;

    @AfterEach
    void stop() {
        if (child != null) {
            child.destroyForcibly();
        }
        nodes.forEach(Node::close);
    }

    private Node start(String name, Map<String, String> tags, boolean server, Duration reconnectTimeout,
                       Node... join) throws Exception {
        List<Integer> ports = new ArrayList<>();
        for (Node n : join) {
            ports.add(n.port());
        }
        Node node = TestNodes.start(name, tags, server, reconnectTimeout, TestNodes.gossipPort(), ports);
        nodes.add(node);
        return node;
    }

    private static void awaitAllAlive(List<String> names, Node... observers) {
        awaitAllAlive(Duration.ofSeconds(10), names, observers);
    }

    private static void awaitAllAlive(Duration atMost, List<String> names, Node... observers) {
        await().atMost(atMost).pollInterval(POLL).untilAsserted(() -> {
            for (Node n : observers) {
                assertThat(n.membership().members()).filteredOn(Member::alive).extracting(Member::name)
                        .containsExactlyInAnyOrderElementsOf(names);
            }
        });
    }

    @Test
    void membersSeeEachOthersIdentityThenALeaveIsLeftAndReaped() throws Exception {
        Duration reap = Duration.ofSeconds(2);
        Node a = start("a", Map.of("dc", "eu", "role", "web"), true, reap);
        Node b = start("b", Map.of("dc", "us"), true, reap, a);
        Node c = start("c", Map.of(), false, reap, a);
        awaitAllAlive(List.of("a", "b", "c"), a, b, c);

        Member seenByC = c.membership().member("a").orElseThrow();
        assertThat(seenByC).isEqualTo(a.channel().self());
        assertThat(seenByC.tags()).containsExactlyInAnyOrderEntriesOf(Map.of("dc", "eu", "role", "web"));
        assertThat(seenByC.server()).isTrue();
        assertThat(seenByC.gossipPort()).isEqualTo(a.port());
        assertThat(a.membership().member("c").orElseThrow())
                .isEqualTo(c.channel().self())
                .satisfies(m -> assertThat(m.server()).isFalse());
        assertThat(b.membership().local()).isEqualTo(b.channel().self());
        assertThat(b.membership().isAlive("c", c.incarnation())).isTrue();

        long leftAt = System.nanoTime();
        c.leave();
        await().atMost(Duration.ofSeconds(5)).pollInterval(POLL)
                .until(() -> a.statusOf("c") == Member.Status.LEFT && b.statusOf("c") == Member.Status.LEFT);
        System.out.printf("graceful leave seen as LEFT after %d ms%n", (System.nanoTime() - leftAt) / 1_000_000);
        assertThat(a.membership().isAlive("c", c.incarnation())).isFalse();

        await().atMost(reap.plus(Duration.ofSeconds(5))).pollInterval(POLL)
                .until(() -> a.membership().member("c").isEmpty() && b.membership().member("c").isEmpty());
        long reapedAfter = (System.nanoTime() - leftAt) / 1_000_000;
        System.out.printf("left member reaped after %d ms (reconnect timeout %d ms)%n", reapedAfter, reap.toMillis());
        assertThat(reapedAfter).isGreaterThanOrEqualTo(reap.toMillis());

        for (Node observer : List.of(a, b)) {
            assertThat(observer.events()).filteredOn(e -> e.member().name().equals("c"))
                    .extracting(MembershipEvent::type, e -> e.member().status())
                    .containsExactly(
                            tuple(Type.MEMBER_ADDED, Member.Status.ALIVE),
                            tuple(Type.STATUS_CHANGED, Member.Status.LEAVING),
                            tuple(Type.STATUS_CHANGED, Member.Status.LEFT),
                            tuple(Type.MEMBER_REMOVED, Member.Status.LEFT));
            assertThat(observer.eventThreads()).containsOnly("membership");
        }
    }

    @Test
    void aRestartedMemberReplacesItsOldIncarnation() throws Exception {
        Node a = start("a", Map.of(), true, JGroupsMembership.DEFAULT_RECONNECT_TIMEOUT);
        Node b = start("b", Map.of("v", "1"), false, JGroupsMembership.DEFAULT_RECONNECT_TIMEOUT, a);
        awaitAllAlive(List.of("a", "b"), a);
        String old = b.incarnation();
        b.leave();
        await().atMost(Duration.ofSeconds(5)).pollInterval(POLL).until(() -> a.statusOf("b") == Member.Status.LEFT);

        Node again = start("b", Map.of("v", "2"), false, JGroupsMembership.DEFAULT_RECONNECT_TIMEOUT, a);
        await().atMost(Duration.ofSeconds(10)).pollInterval(POLL)
                .until(() -> a.membership().isAlive("b", again.incarnation()));
        assertThat(again.incarnation()).isNotEqualTo(old);
        assertThat(a.membership().members()).extracting(Member::name).containsExactlyInAnyOrder("a", "b");
        assertThat(a.membership().member("b").orElseThrow().tags()).containsEntry("v", "2");
        assertThat(a.events()).filteredOn(e -> e.member().name().equals("b"))
                .extracting(MembershipEvent::type, e -> e.member().incarnation())
                .endsWith(tuple(Type.MEMBER_REMOVED, old),
                        tuple(Type.MEMBER_ADDED, again.incarnation()));
    }

    @Test
    void aKilledProcessIsFailedWithinTwoSeconds() throws Exception {
        Node a = start("a", Map.of(), true, JGroupsMembership.DEFAULT_RECONNECT_TIMEOUT);
        Node b = start("b", Map.of(), true, JGroupsMembership.DEFAULT_RECONNECT_TIMEOUT, a);
        awaitAllAlive(List.of("a", "b"), a, b);

        int port = TestNodes.gossipPort();
        Path out = tmp.resolve("child.log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        child = new ProcessBuilder(java, "-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), ClusterMemberMain.class.getName(),
                "k", Integer.toString(port), Integer.toString(a.port()))
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .until(() -> Files.exists(out) && Files.readString(out).contains("READY"));
        awaitAllAlive(List.of("a", "b", "k"), a, b);
        assertThat(a.membership().member("k").orElseThrow().tags()).containsEntry("kind", "child");

        long killedAt = System.nanoTime();
        child.destroyForcibly(); // SIGKILL: no leave, no close
        assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();
        await().atMost(Duration.ofSeconds(2).plus(SLACK)).pollInterval(Duration.ofMillis(10))
                .until(() -> a.statusOf("k") == Member.Status.FAILED && b.statusOf("k") == Member.Status.FAILED);
        System.out.printf("kill -9 seen as FAILED after %d ms%n", (System.nanoTime() - killedAt) / 1_000_000);
    }

    @Test
    void aSilentHostIsFailedWithinSevenSecondsAndMergesBackWhenHeard() throws Exception {
        Node a = start("a", Map.of(), true, JGroupsMembership.DEFAULT_RECONNECT_TIMEOUT);
        Node b = start("b", Map.of(), true, JGroupsMembership.DEFAULT_RECONNECT_TIMEOUT, a);
        Node c = start("c", Map.of(), false, JGroupsMembership.DEFAULT_RECONNECT_TIMEOUT, a);
        awaitAllAlive(List.of("a", "b", "c"), a, b, c);

        // c goes silent: nothing in or out, but its process and sockets live on (a cut cable, a frozen host).
        ProtocolStack stack = c.channel().jgroups().getProtocolStack();
        DISCARD silence = new DISCARD().discardAll(true);
        silence.setAddress(c.channel().jgroups().getAddress());
        long silentAt = System.nanoTime();
        stack.insertProtocol(silence, ProtocolStack.Position.ABOVE, TCP.class);
        await().atMost(Duration.ofSeconds(7).plus(SLACK)).pollInterval(Duration.ofMillis(10))
                .until(() -> a.statusOf("c") == Member.Status.FAILED && b.statusOf("c") == Member.Status.FAILED);
        System.out.printf("silent host seen as FAILED after %d ms%n", (System.nanoTime() - silentAt) / 1_000_000);
        await().atMost(Duration.ofSeconds(5)).pollInterval(POLL)
                .until(() -> c.statusOf("a") == Member.Status.FAILED && c.statusOf("b") == Member.Status.FAILED);

        long heardAt = System.nanoTime();
        stack.removeProtocol(DISCARD.class);
        awaitAllAlive(Duration.ofSeconds(20), List.of("a", "b", "c"), a, b, c);
        System.out.printf("healed partition merged after %d ms%n", (System.nanoTime() - heardAt) / 1_000_000);
        assertThat(a.membership().isAlive("c", c.incarnation())).isTrue();
        assertThat(a.events()).filteredOn(e -> e.member().name().equals("c"))
                .extracting(MembershipEvent::type, e -> e.member().status())
                .containsExactly(tuple(Type.MEMBER_ADDED, Member.Status.ALIVE),
                        tuple(Type.STATUS_CHANGED, Member.Status.FAILED),
                        tuple(Type.STATUS_CHANGED, Member.Status.ALIVE));
    }
}
