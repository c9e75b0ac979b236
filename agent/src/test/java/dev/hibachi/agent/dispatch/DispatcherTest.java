package dev.hibachi.agent.dispatch;

import dev.hibachi.store.apply.Reply;
import dev.hibachi.store.command.Command;
import dev.hibachi.store.event.StoreEvent;
import dev.hibachi.store.model.Execution;
import dev.hibachi.store.model.Job;
import dev.hibachi.store.model.Run;
import dev.hibachi.store.model.Target;
import dev.hibachi.store.raft.StoreClient;
import dev.hibachi.store.raft.StoreServer;
import dev.hibachi.store.raft.StoreServerConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The leader's dispatch: at the instant (not before), batched per member, re-sent until acknowledged, and
 * forgotten once the store closes the attempt; a kill order at once, re-sent until the attempt is closed. A real
 * single-node store provides the open runs to resume.
 */
@Timeout(60)
class DispatcherTest {
    private static final Duration RESEND = Duration.ofMillis(200);

    @TempDir
    static Path tmp;

    private static StoreServer server;
    private static StoreClient client;

    private Sent transport;
    private Dispatcher dispatcher;

    /** Records every order sent, with when; acks are handed to the dispatcher by the test. */
    static final class Sent implements RunTransport {
        record Order(String node, RunOrder order, Instant at) {
        }

        final List<Order> orders = new CopyOnWriteArrayList<>();
        volatile Consumer<RunAck> acks = a -> { };

        @Override
        public void sendOrder(String node, RunOrder order) {
            orders.add(new Order(node, order, Instant.now()));
        }

        @Override
        public void sendAck(String leader, RunAck ack) {
        }

        @Override
        public void onOrder(Consumer<RunOrder> handler) {
        }

        @Override
        public void onAck(Consumer<RunAck> handler) {
            this.acks = handler;
        }

        List<Order> sendsOf(String key) {
            return orders.stream().filter(o -> o.order().attempts().stream().anyMatch(a -> a.key().equals(key)))
                    .toList();
        }

        /** Each copy of attempt {@code key} sent, in order (orders batch several attempts). */
        List<RunOrder.Attempt> attemptsSent(String key) {
            return sendsOf(key).stream().flatMap(o -> o.order().attempts().stream())
                    .filter(a -> a.key().equals(key)).toList();
        }

        void ack(String node, String key, RunAck.State state) {
            acks.accept(new RunAck(node, "inc-" + node, List.of(new RunAck.Entry(key, state, null))));
        }
    }

    @BeforeAll
    static void startStore() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        StoreServerConfig config = StoreServerConfig.singleNode("s1", "127.0.0.1", port, tmp.resolve("store"));
        server = StoreServer.start(config);
        client = new StoreClient(config.initialPeers());
        await().atMost(Duration.ofSeconds(30)).until(() -> server.isLeaderReady());
    }

    @AfterAll
    static void stopStore() throws IOException {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @BeforeEach
    void startDispatcher() {
        transport = new Sent();
        dispatcher = new Dispatcher("s1", transport, server.stateMachine(), Clock.systemUTC(), RESEND,
                DispatchObserver.NONE);
    }

    @AfterEach
    void stopDispatcher() {
        dispatcher.close();
    }

    private static Job job(String name) {
        return Job.of(name, "@manually", "shell", Map.of("command", "true"));
    }

    private static StoreEvent.AttemptPlanned planned(String job, long runId, String node, Instant at) {
        return new StoreEvent.AttemptPlanned(job(job), runId, 1, new Target(node, "inc-" + node), at, at);
    }

    private static StoreEvent.AttemptClosed closed(String job, long runId, String node) {
        return new StoreEvent.AttemptClosed(new Execution(Execution.idOf(runId, 1, node), job, Instant.now(),
                Instant.now(), false, "", node, runId, 1, Instant.now(), -1, Execution.FAILED, null));
    }

    @Test
    void dispatchesAtTheInstantNotBeforeAndBatchesPerMember() {
        dispatcher.start(3);
        Instant t = Instant.now().plusMillis(400);
        dispatcher.onEvent(planned("j", 1, "a", t));
        dispatcher.onEvent(planned("k", 2, "a", t));
        dispatcher.onEvent(planned("j", 3, "b", t));

        List<String> keys = List.of("j/1/1", "k/2/1", "j/3/1");
        await().atMost(Duration.ofSeconds(5)).until(() -> keys.stream().allMatch(k -> !transport.sendsOf(k).isEmpty()));
        List<Sent.Order> all = transport.orders.stream()
                .filter(o -> o.order().attempts().stream().anyMatch(a -> keys.contains(a.key()))).toList();
        // Two orders at the instant (one per member); re-sends come only a resend period later.
        Instant firstAt = all.get(0).at();
        List<Sent.Order> first = all.stream().filter(o -> o.at().isBefore(firstAt.plus(RESEND.dividedBy(2)))).toList();
        assertThat(first).hasSize(2);
        assertThat(first).extracting(Sent.Order::node).containsExactlyInAnyOrder("a", "b");
        Sent.Order toA = first.stream().filter(o -> o.node().equals("a")).findFirst().orElseThrow();
        assertThat(toA.order().attempts()).extracting(RunOrder.Attempt::key).containsExactlyInAnyOrder("j/1/1", "k/2/1");
        assertThat(toA.order().term()).isEqualTo(3);
        assertThat(toA.order().leader()).isEqualTo("s1");
        for (Sent.Order o : first) {
            assertThat(o.at()).isAfterOrEqualTo(t);
            assertThat(Duration.between(t, o.at())).isLessThan(Duration.ofMillis(300));
            assertThat(o.order().attempts()).allSatisfy(a -> {
                assertThat(a.incarnation()).isEqualTo("inc-" + o.node());
                assertThat(a.scheduledAt()).isEqualTo(t);
            });
        }
    }

    @Test
    void resendsUntilAcknowledgedThenStops() {
        dispatcher.start(1);
        dispatcher.onEvent(planned("r", 10, "a", Instant.now()));

        await().atMost(Duration.ofSeconds(5)).until(() -> transport.sendsOf("r/10/1").size() >= 3);
        List<Sent.Order> sends = transport.sendsOf("r/10/1");
        for (int i = 1; i < 3; i++) {
            assertThat(Duration.between(sends.get(i - 1).at(), sends.get(i).at()))
                    .isGreaterThanOrEqualTo(RESEND.minusMillis(20));
        }
        assertThat(dispatcher.outstandingCount()).isEqualTo(1);

        transport.ack("a", "r/10/1", RunAck.State.ACCEPTED);
        assertThat(dispatcher.outstandingCount()).isZero();
        int after = transport.sendsOf("r/10/1").size();
        await().during(Duration.ofMillis(1000)).atMost(Duration.ofSeconds(2))
                .until(() -> transport.sendsOf("r/10/1").size() == after);
    }

    @Test
    void refusedOrFinishedIsNotResent() {
        dispatcher.start(1);
        Instant now = Instant.now();
        dispatcher.onEvent(planned("x", 20, "a", now));
        dispatcher.onEvent(planned("y", 21, "a", now));
        await().atMost(Duration.ofSeconds(5))
                .until(() -> !transport.sendsOf("x/20/1").isEmpty() && !transport.sendsOf("y/21/1").isEmpty());
        transport.ack("a", "x/20/1", RunAck.State.REFUSED);
        transport.ack("a", "y/21/1", RunAck.State.FINISHED);
        int x = transport.sendsOf("x/20/1").size();
        int y = transport.sendsOf("y/21/1").size();
        await().during(Duration.ofMillis(1000)).atMost(Duration.ofSeconds(2))
                .until(() -> transport.sendsOf("x/20/1").size() == x && transport.sendsOf("y/21/1").size() == y);
        assertThat(dispatcher.outstandingCount()).isZero();
    }

    @Test
    void closedAttemptIsForgotten() {
        dispatcher.start(1);
        dispatcher.onEvent(planned("c", 30, "a", Instant.now()));
        await().atMost(Duration.ofSeconds(5)).until(() -> !transport.sendsOf("c/30/1").isEmpty());
        dispatcher.onEvent(closed("c", 30, "a"));
        assertThat(dispatcher.outstandingCount()).isZero();
        int n = transport.sendsOf("c/30/1").size();
        await().during(Duration.ofMillis(1000)).atMost(Duration.ofSeconds(2))
                .until(() -> transport.sendsOf("c/30/1").size() == n);
    }

    @Test
    void attemptClosedBeforeItsInstantIsNeverSent() {
        dispatcher.start(1);
        dispatcher.onEvent(planned("w", 40, "a", Instant.now().plusMillis(500)));
        dispatcher.onEvent(closed("w", 40, "a"));
        await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(3))
                .until(() -> transport.sendsOf("w/40/1").isEmpty());
        assertThat(dispatcher.outstandingCount()).isZero();
    }

    @Test
    void deletedJobIsNotDispatched() {
        dispatcher.start(1);
        dispatcher.onEvent(planned("gone", 50, "a", Instant.now().plusMillis(300)));
        dispatcher.onEvent(new StoreEvent.JobDeleted("gone"));
        await().during(Duration.ofMillis(1000)).atMost(Duration.ofSeconds(2))
                .until(() -> transport.sendsOf("gone/50/1").isEmpty());
    }

    @Test
    void inactiveDispatcherIgnoresPlansAndStopForgetsEverything() {
        dispatcher.onEvent(planned("idle", 60, "a", Instant.now()));
        dispatcher.start(1);
        dispatcher.onEvent(planned("busy", 61, "a", Instant.now()));
        await().atMost(Duration.ofSeconds(5)).until(() -> !transport.sendsOf("busy/61/1").isEmpty());
        dispatcher.stop();
        assertThat(dispatcher.outstandingCount()).isZero();
        int n = transport.sendsOf("busy/61/1").size();
        await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(2))
                .until(() -> transport.sendsOf("busy/61/1").size() == n);
        assertThat(transport.sendsOf("idle/60/1")).isEmpty();
    }

    @Test
    void startResumesTheOpenAttemptsOfTheStore() throws Exception {
        Reply put = client.submit(new Command.PutJob(Instant.now(), job("resume")), Duration.ofSeconds(10));
        assertThat(put.ok()).as(put.error()).isTrue();
        Instant past = Instant.now().minusSeconds(1);
        Instant future = Instant.now().plusMillis(700);
        Reply plan = client.submit(new Command.PlanRuns(Instant.now(), List.of(
                new Command.PlannedRun("resume", 0, past, null, Run.Trigger.MANUAL,
                        List.of(new Target("a", "inc-a"), new Target("b", "inc-b")), null),
                new Command.PlannedRun("resume", 0, future, null, Run.Trigger.MANUAL,
                        List.of(new Target("a", "inc-a")), null)), List.of()), Duration.ofSeconds(10));
        assertThat(plan.ok()).as(plan.error()).isTrue();
        long pastRun = plan.value().path("runs").path(0).path("run_id").asLong();
        long futureRun = plan.value().path("runs").path(1).path("run_id").asLong();

        dispatcher.start(2); // a new leader: everything open in the store is sent again
        String pastA = "resume/" + pastRun + "/1";
        String futureA = "resume/" + futureRun + "/1";
        await().atMost(Duration.ofSeconds(5)).until(() -> transport.orders.stream()
                .filter(o -> o.order().attempts().stream().anyMatch(a -> a.key().equals(pastA)))
                .map(Sent.Order::node).distinct().count() == 2);
        await().atMost(Duration.ofSeconds(5)).until(() -> !transport.sendsOf(futureA).isEmpty());
        assertThat(transport.sendsOf(futureA).get(0).at()).isAfterOrEqualTo(future);
        assertThat(transport.sendsOf(futureA).get(0).order().term()).isEqualTo(2);
    }

    private static StoreEvent.KillRequested killRequested(String job, long runId, String node, Instant at, String by) {
        return new StoreEvent.KillRequested(job(job), runId, 1, new Target(node, "inc-" + node), at, by);
    }

    @Test
    void aKillReplacesTheWaitingOrderAndIsResentUntilTheAttemptIsClosedWhateverTheAcks() {
        dispatcher.start(4);
        int before = dispatcher.killingCount(); // kills other tests left open in the store
        Instant instant = Instant.now().plusMillis(1200);
        dispatcher.onEvent(planned("k", 70, "a", instant));
        Instant asked = Instant.now();
        dispatcher.onEvent(killRequested("k", 70, "a", instant, "alice"));

        await().atMost(Duration.ofSeconds(5)).until(() -> transport.sendsOf("k/70/1").size() >= 3);
        List<Sent.Order> sends = transport.sendsOf("k/70/1");
        assertThat(sends.get(0).at()).as("sent at once, not at the run's instant").isBefore(instant);
        assertThat(Duration.between(asked, sends.get(0).at())).isLessThan(Duration.ofMillis(150));
        assertThat(sends.get(0).node()).isEqualTo("a");
        assertThat(sends.get(0).order().term()).isEqualTo(4);
        RunOrder.Attempt first = transport.attemptsSent("k/70/1").get(0);
        assertThat(first.kill()).isEqualTo("alice");
        assertThat(first.incarnation()).isEqualTo("inc-a");
        assertThat(first.notBefore()).isEqualTo(instant);
        for (int i = 1; i < 3; i++) {
            assertThat(Duration.between(sends.get(i - 1).at(), sends.get(i).at()))
                    .isGreaterThanOrEqualTo(RESEND.minusMillis(20));
        }

        // The member's answers do not end it: only the store closing the attempt does.
        transport.ack("a", "k/70/1", RunAck.State.RUNNING);
        transport.ack("a", "k/70/1", RunAck.State.FINISHED);
        int acked = transport.sendsOf("k/70/1").size();
        await().atMost(Duration.ofSeconds(5)).until(() -> transport.sendsOf("k/70/1").size() >= acked + 2);
        assertThat(dispatcher.killingCount()).isEqualTo(before + 1);

        dispatcher.onEvent(closed("k", 70, "a"));
        assertThat(dispatcher.killingCount()).isEqualTo(before);
        int closedAt = transport.sendsOf("k/70/1").size();
        // Past the run's instant too: the order to run it was dropped, so it is never sent.
        await().during(Duration.ofMillis(1200)).atMost(Duration.ofSeconds(3))
                .until(() -> transport.sendsOf("k/70/1").size() == closedAt);
        assertThat(Instant.now()).isAfter(instant);
        assertThat(transport.attemptsSent("k/70/1")).allSatisfy(a -> assertThat(a.kill()).isEqualTo("alice"));
    }

    @Test
    void aKillOfAnOrderAlreadyAcknowledgedIsSentAndADeletedJobEndsIt() {
        dispatcher.start(1);
        int before = dispatcher.killingCount(); // kills other tests left open in the store
        dispatcher.onEvent(planned("kd", 71, "b", Instant.now()));
        await().atMost(Duration.ofSeconds(5)).until(() -> !transport.sendsOf("kd/71/1").isEmpty());
        transport.ack("b", "kd/71/1", RunAck.State.ACCEPTED);

        dispatcher.onEvent(killRequested("kd", 71, "b", Instant.now(), "bob"));
        dispatcher.onEvent(killRequested("kd", 71, "b", Instant.now(), "carol")); // a repeat changes nothing
        await().atMost(Duration.ofSeconds(5)).until(() -> transport.attemptsSent("kd/71/1").stream()
                .filter(a -> a.kill() != null).count() >= 2);
        assertThat(transport.attemptsSent("kd/71/1").stream().map(RunOrder.Attempt::kill)
                .filter(k -> k != null).distinct().toList()).containsExactly("bob");

        dispatcher.onEvent(new StoreEvent.JobDeleted("kd"));
        assertThat(dispatcher.killingCount()).isEqualTo(before);
        int n = transport.sendsOf("kd/71/1").size();
        await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(2))
                .until(() -> transport.sendsOf("kd/71/1").size() == n);
    }

    @Test
    void aNewLeaderSendsKillOrdersForOpenAttemptsThatCarryAKill() throws Exception {
        Reply put = client.submit(new Command.PutJob(Instant.now(), job("resume-kill")), Duration.ofSeconds(10));
        assertThat(put.ok()).as(put.error()).isTrue();
        Instant future = Instant.now().plusSeconds(30);
        Reply plan = client.submit(new Command.PlanRuns(Instant.now(), List.of(
                new Command.PlannedRun("resume-kill", 0, future, null, Run.Trigger.MANUAL,
                        List.of(new Target("a", "inc-a"), new Target("b", "inc-b")), null)), List.of()),
                Duration.ofSeconds(10));
        assertThat(plan.ok()).as(plan.error()).isTrue();
        long runId = plan.value().path("runs").path(0).path("run_id").asLong();
        Reply kill = client.submit(new Command.RequestKill(Instant.now(), "resume-kill", runId, 1, "a", "dave"),
                Duration.ofSeconds(10));
        assertThat(kill.ok()).as(kill.error()).isTrue();
        assertThat(kill.value().path("outcome").asText()).isEqualTo("kill requested");

        dispatcher.start(5);
        String key = "resume-kill/" + runId + "/1";
        // a's slot carries the kill: its kill order goes now, though the run's instant is 30 s away.
        await().atMost(Duration.ofSeconds(5)).until(() -> transport.sendsOf(key).size() >= 2);
        assertThat(transport.sendsOf(key)).allSatisfy(o -> {
            assertThat(o.node()).isEqualTo("a");
            assertThat(o.order().term()).isEqualTo(5);
        });
        assertThat(transport.attemptsSent(key)).allSatisfy(a -> assertThat(a.kill()).isEqualTo("dave"));
        // b's slot is untouched: it waits for the instant (the sends above went to a only).
    }
}
