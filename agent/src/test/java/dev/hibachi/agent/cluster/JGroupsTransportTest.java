package dev.hibachi.agent.cluster;

import dev.hibachi.agent.cluster.TestNodes.Node;
import dev.hibachi.agent.dispatch.RunAck;
import dev.hibachi.agent.dispatch.RunOrder;
import dev.hibachi.store.json.Json;
import dev.hibachi.store.model.Backoff;
import dev.hibachi.store.model.Job;
import org.jgroups.Address;
import org.jgroups.BytesMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.awaitility.Awaitility.await;

/** Run orders and acks between two real channels on loopback: by name, intact, once, and robust to garbage. */
class JGroupsTransportTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private Node leader;
    private Node member;
    private final List<RunOrder> orders = new CopyOnWriteArrayList<>();
    private final List<RunAck> acks = new CopyOnWriteArrayList<>();
    private final List<String> threads = new CopyOnWriteArrayList<>();

    @BeforeEach
    void startTwoMembers() throws Exception {
        leader = TestNodes.start("leader", Map.of(), true, JGroupsMembership.DEFAULT_RECONNECT_TIMEOUT,
                TestNodes.gossipPort(), List.of());
        member = TestNodes.start("member", Map.of("role", "web"), false, JGroupsMembership.DEFAULT_RECONNECT_TIMEOUT,
                TestNodes.gossipPort(), List.of(leader.port()));
        await().atMost(WAIT).until(() -> leader.membership().member("member").filter(Member::alive).isPresent()
                && member.membership().member("leader").filter(Member::alive).isPresent());
        member.transport().onOrder(o -> {
            orders.add(o);
            threads.add(Thread.currentThread().getName());
        });
        leader.transport().onAck(a -> {
            acks.add(a);
            threads.add(Thread.currentThread().getName());
        });
    }

    @AfterEach
    void stop() {
        member.close();
        leader.close();
    }

    private RunOrder.Attempt attempt(String job, long runId, String command) {
        Job j = new Job(job, job, "Nightly " + job, "Europe/Paris", "0 30 2 * * *", "ops", "ops@example.com", 3, 1,
                Instant.parse("2026-01-02T03:04:05.123456Z"), null, false, Map.of("role", "web:1"),
                Map.of("team", "a"), 2, List.of("child"), null, Map.of("log", Map.of("forward", "true")), "forbid",
                "shell", Map.of("command", command, "shell", "true"), "success", null, false, null, null, "run_all", "2m", "10m",
                new Backoff("1s", "1m", 3.0), 4, 5);
        return new RunOrder.Attempt(j, runId, 1, member.incarnation(), Instant.parse("2026-05-01T02:30:00Z"),
                Instant.parse("2026-05-01T02:30:00.250Z"));
    }

    @Test
    void anOrderArrivesOnceIntactAndItsAckGoesBack() {
        RunOrder order = new RunOrder("leader", 7, List.of(attempt("backup", 41, "echo 'ü ✓'"),
                attempt("report", 42, "date")));
        leader.transport().sendOrder("member", order);
        await().atMost(WAIT).until(() -> !orders.isEmpty());
        assertThat(orders.get(0)).isEqualTo(order);

        RunAck ack = new RunAck("member", member.incarnation(), List.of(
                new RunAck.Entry(order.attempts().get(0).key(), RunAck.State.ACCEPTED, null),
                new RunAck.Entry(order.attempts().get(1).key(), RunAck.State.REFUSED, "claim rejected")));
        member.transport().sendAck(orders.get(0).leader(), ack);
        await().atMost(WAIT).until(() -> !acks.isEmpty());
        assertThat(acks).containsExactly(ack);

        // Messages from one sender arrive in order: once the next order is in, a duplicate of the first would be.
        // The next one carries a kill order too: who asked travels with it; a normal order has no "kill" field.
        RunOrder.Attempt normal = attempt("other", 43, "true");
        RunOrder.Attempt kill = RunOrder.Attempt.killOrder(normal.job(), 44, 1, member.incarnation(),
                normal.scheduledAt(), "alice");
        RunOrder next = new RunOrder("leader", 7, List.of(normal, kill));
        leader.transport().sendOrder("member", next);
        await().atMost(WAIT).until(() -> orders.size() == 2);
        assertThat(orders).containsExactly(order, next);
        assertThat(orders.get(1).attempts().get(1).kill()).isEqualTo("alice");
        assertThat(new String(Json.write(normal), StandardCharsets.UTF_8)).doesNotContain("\"kill\"");
        assertThat(new String(Json.write(kill), StandardCharsets.UTF_8)).contains("\"kill\":\"alice\"");
        assertThat(threads).containsExactly("run-orders", "run-acks", "run-orders");
    }

    @Test
    void garbageIsDroppedAndTheChannelKeepsWorking() throws Exception {
        Address to = member.channel().address("leader").orElseThrow();
        List<String> garbage = List.of(
                "not json at all",
                "{\"type\":\"no-such-type\",\"body\":{}}",
                "{\"type\":\"run-ack\"}",
                "{\"type\":\"run-ack\",\"body\":[1,2,3]}",
                "{\"type\":\"run-ack\",\"body\":{\"node\":\"member\"}}",
                "{\"type\":\"run-ack\",\"body\":{\"node\":\"member\",\"incarnation\":\"x\",\"entries\":[null]}}",
                "{\"type\":\"run-ack\",\"body\":{\"node\":\"leader\",\"incarnation\":\"x\",\"entries\":[]}}",
                "{\"type\":\"run-ack\",\"body\":{\"node\":\"member\",\"incarnation\":\"x\",\"entries\":"
                        + "[{\"key\":\"k\",\"state\":\"NO_SUCH_STATE\"}]}}");
        for (String g : garbage) {
            member.channel().jgroups().send(new BytesMessage(to, g.getBytes(StandardCharsets.UTF_8)));
        }
        member.channel().jgroups().send(new BytesMessage(to, new byte[ClusterChannel.MAX_MESSAGE_BYTES + 1]));
        assertThatCode(() -> leader.transport().sendOrder("nobody", new RunOrder("leader", 1, List.of())))
                .doesNotThrowAnyException();

        AtomicBoolean failOnce = new AtomicBoolean(true);
        leader.transport().onAck(a -> {
            if (failOnce.getAndSet(false)) {
                throw new IllegalStateException("a handler that fails must not stop delivery");
            }
            acks.add(a);
        });
        RunAck first = new RunAck("member", member.incarnation(), List.of(new RunAck.Entry("a/1/1",
                RunAck.State.RUNNING, null)));
        RunAck second = new RunAck("member", member.incarnation(), List.of(new RunAck.Entry("a/2/1",
                RunAck.State.FINISHED, null)));
        member.transport().sendAck("leader", first);
        member.transport().sendAck("leader", second);
        await().atMost(WAIT).until(() -> !acks.isEmpty());
        assertThat(acks).containsExactly(second);
    }

    @Test
    void anOrderTooLargeForOneMessageIsSplit() {
        String big = "x".repeat(ClusterChannel.MAX_MESSAGE_BYTES * 2 / 5);
        RunOrder order = new RunOrder("leader", 3, List.of(attempt("j1", 1, big), attempt("j2", 2, big),
                attempt("j3", 3, big)));
        leader.transport().sendOrder("member", order);
        await().atMost(WAIT).until(() -> orders.stream().mapToInt(o -> o.attempts().size()).sum() == 3);
        assertThat(orders).hasSizeGreaterThan(1).allSatisfy(o -> assertThat(o.term()).isEqualTo(3));
        assertThat(orders.stream().flatMap(o -> o.attempts().stream()).toList())
                .containsExactlyElementsOf(order.attempts());
    }
}
