package dev.hibachi.agent;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hibachi.agent.dispatch.DispatchObserver;
import dev.hibachi.agent.dispatch.RunAck;
import dev.hibachi.agent.dispatch.RunOrder;
import dev.hibachi.agent.dispatch.RunTransport;
import dev.hibachi.agent.exec.OutputBuffer;
import dev.hibachi.agent.exec.ProcessGroups;
import dev.hibachi.agent.process.ProcessorChain;
import dev.hibachi.agent.process.ProcessorRegistry;
import dev.hibachi.agent.run.ExecutorRegistry;
import dev.hibachi.agent.run.Reporter;
import dev.hibachi.agent.run.RunJournal;
import dev.hibachi.agent.run.Runner;
import dev.hibachi.store.apply.Reply;
import dev.hibachi.store.command.Command;
import dev.hibachi.store.json.Json;
import dev.hibachi.store.model.Execution;
import dev.hibachi.store.model.Job;
import dev.hibachi.store.model.Run;
import dev.hibachi.store.raft.ReadConsistency;
import dev.hibachi.store.model.Target;
import dev.hibachi.store.raft.StoreClient;
import dev.hibachi.store.raft.StoreServerConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * One run, end to end, on a real single-node agent (Ratis over gRPC on loopback, RocksDB, real processes):
 * dispatch at the instant, retries, the member's journal answering repeats, the incarnation fence and the
 * lost-member verdict.
 */
@Timeout(120)
class SingleNodeLifecycleTest {
    private static final String NODE = "node-1";

    @TempDir
    static Path tmp;

    private static Agent agent;
    private static StoreClient client;
    private static int rpcPort;
    private static final Recorder RECORDER = new Recorder();

    /** What the dispatch path reported: each attempt's dispatch and spawn, with the times. */
    static final class Recorder implements DispatchObserver {
        record Event(RunOrder.Attempt attempt, Instant at) {
        }

        final List<Event> dispatched = new CopyOnWriteArrayList<>();
        final List<Event> spawning = new CopyOnWriteArrayList<>();

        @Override
        public void dispatched(RunOrder.Attempt attempt, Instant at) {
            dispatched.add(new Event(attempt, at));
        }

        @Override
        public void spawning(RunOrder.Attempt attempt, Instant at) {
            spawning.add(new Event(attempt, at));
        }

        List<Event> dispatchedOf(String job) {
            return dispatched.stream().filter(e -> e.attempt().job().name().equals(job)).toList();
        }

        List<Event> spawningOf(String job) {
            return spawning.stream().filter(e -> e.attempt().job().name().equals(job)).toList();
        }
    }

    @BeforeAll
    static void startAgent() throws Exception {
        rpcPort = freePort();
        AgentConfig config = AgentConfig.dev(NODE, tmp.resolve("agent"), freePort(), rpcPort,
                        dev.hibachi.store.StoreTestSupport.freeGossipPort())
                .withShutdownGrace(Duration.ofSeconds(2));
        agent = Agent.start(config, Clock.systemUTC(), RECORDER, false);
        client = new StoreClient(List.of(new StoreServerConfig.Peer(NODE, "127.0.0.1:" + rpcPort)));
        await().atMost(Duration.ofSeconds(30)).until(() -> agent.isLeader() && agent.healthy());
    }

    @AfterAll
    static void stopAgent() throws Exception {
        if (client != null) {
            client.close();
        }
        if (agent != null) {
            agent.close();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }

    private static Job shellJob(String name, String schedule, String command, int retries) {
        ObjectNode node = Json.mapper().valueToTree(Job.of(name, schedule, "shell",
                Map.of("command", command, "shell", "true")));
        node.put("retries", retries);
        return Json.mapper().convertValue(node, Job.class);
    }

    private static void put(Job job) throws Exception {
        Reply r = agent.jobs().putJob(job);
        assertThat(r.ok()).as("put %s: %s", job.name(), r.error()).isTrue();
    }

    private static List<Execution> executions(String job) throws Exception {
        Reply r = agent.jobs().executions(job, 100, -1, ReadConsistency.LINEARIZABLE);
        assertThat(r.ok()).as(r.error()).isTrue();
        return Json.mapper().convertValue(r.value().path("executions"), new TypeReference<List<Execution>>() { });
    }

    private static Job storedJob(String name) throws Exception {
        Reply r = agent.jobs().job(name, ReadConsistency.LINEARIZABLE);
        assertThat(r.ok()).as(r.error()).isTrue();
        return r.valueAs(Job.class);
    }

    private static List<Run> openRuns() throws Exception {
        Reply r = agent.jobs().openRuns();
        assertThat(r.ok()).as(r.error()).isTrue();
        return Json.mapper().convertValue(r.value(), new TypeReference<List<Run>>() { });
    }

    private static String sh(Path p) {
        return "'" + p.toAbsolutePath() + "'";
    }

    // ---- (a) dispatch at the instant ----------------------------------------------------------------------

    @Test
    void everySecondJobIsDispatchedAtEachInstantAndRuns() throws Exception {
        String name = "tick";
        Path marks = tmp.resolve("tick.log");
        put(shellJob(name, "@every 1s", "echo $HIBACHI_RUN_ID >> " + sh(marks), 0));

        await().atMost(Duration.ofSeconds(15)).until(() -> RECORDER.spawningOf(name).size() >= 4);
        assertThat(agent.jobs().toggleJob(name).ok()).isTrue(); // stop it: the rest is checked on what ran

        List<Recorder.Event> dispatched = RECORDER.dispatchedOf(name).subList(0, 4);
        for (Recorder.Event d : dispatched) {
            Duration late = Duration.between(d.attempt().scheduledAt(), d.at());
            assertThat(late).as("dispatch of %s", d.attempt().scheduledAt()).isGreaterThanOrEqualTo(Duration.ZERO)
                    .isLessThan(Duration.ofMillis(500));
            assertThat(d.attempt().attempt()).isEqualTo(1);
            assertThat(d.attempt().incarnation()).isEqualTo(agent.incarnation());
        }
        // One run per instant, one second apart, each with its own run id.
        List<Instant> instants = dispatched.stream().map(d -> d.attempt().scheduledAt()).toList();
        for (int i = 1; i < instants.size(); i++) {
            assertThat(Duration.between(instants.get(i - 1), instants.get(i))).isEqualTo(Duration.ofSeconds(1));
        }
        assertThat(dispatched.stream().map(d -> d.attempt().runId()).distinct()).hasSize(4);
        // Each spawn follows its dispatch, promptly.
        for (Recorder.Event d : dispatched) {
            Recorder.Event s = RECORDER.spawningOf(name).stream()
                    .filter(e -> e.attempt().key().equals(d.attempt().key())).findFirst().orElseThrow();
            assertThat(s.at()).isAfterOrEqualTo(d.at());
            assertThat(Duration.between(d.attempt().scheduledAt(), s.at())).isLessThan(Duration.ofMillis(500));
        }
        // Every dispatched instant ran exactly once and succeeded, and was recorded with its instant.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            List<Execution> ex = executions(name);
            for (Recorder.Event d : dispatched) {
                assertThat(ex).filteredOn(e -> e.group() == d.attempt().runId()).singleElement()
                        .satisfies(e -> {
                            assertThat(e.success()).isTrue();
                            assertThat(e.status()).isEqualTo(Execution.SUCCEEDED);
                            assertThat(e.scheduledAt()).isEqualTo(d.attempt().scheduledAt());
                            assertThat(e.nodeName()).isEqualTo(NODE);
                        });
            }
        });
        List<String> lines = Files.readAllLines(marks);
        for (Recorder.Event d : dispatched) {
            assertThat(lines).filteredOn(l -> l.equals(Long.toString(d.attempt().runId()))).hasSize(1);
        }
        assertThat(lines).doesNotHaveDuplicates();
    }

    // ---- (b) retries ----------------------------------------------------------------------------------------

    @Test
    void failingJobWithTwoRetriesRunsThreeAttemptsOfOneRun() throws Exception {
        String name = "always-fails";
        put(shellJob(name, "@manually", "echo failing; exit 3", 2));
        Reply run = agent.jobs().runNow(name);
        assertThat(run.ok()).as(run.error()).isTrue();
        long runId = run.value().path("run_id").asLong();

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(storedJob(name).status()).isEqualTo(Execution.FAILED);
            assertThat(executions(name)).hasSize(3).allMatch(Execution::finished);
        });
        List<Execution> ex = new ArrayList<>(executions(name));
        ex.sort(Comparator.comparingInt(Execution::attempt));
        assertThat(ex).extracting(Execution::attempt).containsExactly(1, 2, 3);
        assertThat(ex).allSatisfy(e -> {
            assertThat(e.group()).isEqualTo(runId);
            assertThat(e.success()).isFalse();
            assertThat(e.status()).isEqualTo(Execution.FAILED);
            assertThat(e.exitCode()).isEqualTo(3);
            assertThat(e.output()).contains("failing");
            assertThat(e.nodeName()).isEqualTo(NODE);
        });
        // Each retry waited for its backoff: (log2(elapsed/500ms) + attempt) x 500 ms, elapsed here < 500 ms.
        assertThat(Duration.between(ex.get(0).finishedAt(), ex.get(1).startedAt()))
                .isGreaterThanOrEqualTo(Duration.ofMillis(500));
        assertThat(Duration.between(ex.get(1).finishedAt(), ex.get(2).startedAt()))
                .isGreaterThanOrEqualTo(Duration.ofMillis(1000));

        Job job = storedJob(name);
        assertThat(job.errorCount()).isEqualTo(3);
        assertThat(job.successCount()).isZero();
        assertThat(job.status()).isEqualTo(Execution.FAILED);
        // The run is over: no fourth attempt can come.
        assertThat(openRuns()).noneMatch(r -> r.job().equals(name));
        assertThat(RECORDER.spawningOf(name)).hasSize(3);
    }

    // ---- (c), (d) the member's journal and the incarnation fence -----------------------------------------

    /** A transport that hands orders to the runner synchronously and keeps the acks. */
    static final class CapturingTransport implements RunTransport {
        volatile Consumer<RunOrder> runner = o -> { };
        final List<RunAck> acks = new CopyOnWriteArrayList<>();

        @Override
        public void sendOrder(String node, RunOrder order) {
            runner.accept(order);
        }

        @Override
        public void sendAck(String leader, RunAck ack) {
            acks.add(ack);
        }

        @Override
        public void onOrder(Consumer<RunOrder> handler) {
            this.runner = handler;
        }

        @Override
        public void onAck(Consumer<RunAck> handler) {
        }

        List<RunAck.Entry> entriesFor(String key) {
            return acks.stream().flatMap(a -> a.entries().stream()).filter(e -> e.key().equals(key)).toList();
        }
    }

    /** A member of its own (the runner parts, wired as Agent wires them), reporting into the agent's store. */
    private record Worker(Runner runner, RunJournal journal, Reporter reporter, ProcessGroups groups,
                          CapturingTransport transport, StoreClient client) implements AutoCloseable {
        static Worker start(Path dir, String node, String incarnation) {
            CapturingTransport transport = new CapturingTransport();
            StoreClient c = new StoreClient(List.of(new StoreServerConfig.Peer(NODE, "127.0.0.1:" + rpcPort)));
            RunJournal journal = new RunJournal(dir.resolve("journal"), Duration.ofMinutes(10));
            ProcessGroups groups = new ProcessGroups(dir.resolve("process-groups"));
            Reporter reporter = new Reporter(c, node, journal, Clock.systemUTC(), Duration.ofMillis(50));
            Runner runner = new Runner(node, incarnation, journal, ExecutorRegistry.builtIn(),
                    new ProcessorChain(ProcessorRegistry.builtIn(), node, dir, OutputBuffer.DEFAULT_CAPACITY), groups, reporter,
                    transport, c, Clock.systemUTC(), DispatchObserver.NONE, Runner.Settings.defaults());
            return new Worker(runner, journal, reporter, groups, transport, c);
        }

        @Override
        public void close() throws Exception {
            runner.close();
            reporter.close();
            journal.close();
            groups.close();
            client.close();
        }
    }

    @Test
    void repeatedOrderIsAnsweredFromTheJournalAndRunsOnce() throws Exception {
        Path out = tmp.resolve("repeat.out");
        Job job = shellJob("repeat", "@manually", "sleep 0.3; echo ran >> " + sh(out), 0);
        try (Worker m = Worker.start(tmp.resolve("member-c"), "member-c", "inc-c")) {
            Instant now = Instant.now();
            RunOrder.Attempt a = new RunOrder.Attempt(job, 4242L, 1, "inc-c", now, now);
            RunOrder order = new RunOrder("leader", 1, List.of(a));

            m.transport().sendOrder("member-c", order);
            m.transport().sendOrder("member-c", order); // the leader re-sent it before the ack arrived
            assertThat(m.transport().entriesFor(a.key())).extracting(RunAck.Entry::state)
                    .containsExactly(RunAck.State.ACCEPTED, RunAck.State.RUNNING);

            await().atMost(Duration.ofSeconds(10))
                    .until(() -> m.journal().get(a.key()).map(RunJournal.Attempt::state).orElse(null)
                            == RunJournal.State.REPORTED);
            m.transport().sendOrder("member-c", order); // a late repeat after the result
            assertThat(m.transport().entriesFor(a.key())).extracting(RunAck.Entry::state)
                    .containsExactly(RunAck.State.ACCEPTED, RunAck.State.RUNNING, RunAck.State.FINISHED);

            assertThat(m.runner().runningCount()).isZero();
            assertThat(Files.readAllLines(out)).containsExactly("ran");
            RunJournal.Attempt journaled = m.journal().get(a.key()).orElseThrow();
            assertThat(journaled.started().incarnation()).isEqualTo("inc-c");
            assertThat(journaled.finished().success()).isTrue();
        }
    }

    @Test
    void repeatedOrderIsAnsweredFromTheJournalAfterARestartOfTheMember() throws Exception {
        Path out = tmp.resolve("repeat-restart.out");
        Job job = shellJob("repeat-restart", "@manually", "echo ran >> " + sh(out), 0);
        Instant now = Instant.now();
        RunOrder.Attempt a = new RunOrder.Attempt(job, 4343L, 1, "inc-r", now, now);
        RunOrder order = new RunOrder("leader", 1, List.of(a));
        try (Worker m = Worker.start(tmp.resolve("member-r"), "member-r", "inc-r")) {
            m.transport().sendOrder("member-r", order);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> m.journal().get(a.key()).map(RunJournal.Attempt::state).orElse(null)
                            == RunJournal.State.REPORTED);
        }
        // Same incarnation on purpose: only the journal stands between a repeat and a second run.
        try (Worker m = Worker.start(tmp.resolve("member-r"), "member-r", "inc-r")) {
            m.transport().sendOrder("member-r", order);
            assertThat(m.transport().entriesFor(a.key())).extracting(RunAck.Entry::state)
                    .containsExactly(RunAck.State.FINISHED);
            assertThat(m.runner().runningCount()).isZero();
        }
        assertThat(Files.readAllLines(out)).containsExactly("ran");
    }

    @Test
    void orderForAnotherIncarnationIsRefusedAndNothingRuns() throws Exception {
        Path out = tmp.resolve("fenced.out");
        Job job = shellJob("fenced", "@manually", "echo ran >> " + sh(out), 0);
        try (Worker m = Worker.start(tmp.resolve("member-d"), "member-d", "inc-new")) {
            Instant now = Instant.now();
            RunOrder.Attempt a = new RunOrder.Attempt(job, 4444L, 1, "inc-old", now, now);
            m.transport().sendOrder("member-d", new RunOrder("leader", 1, List.of(a)));

            List<RunAck.Entry> acks = m.transport().entriesFor(a.key());
            assertThat(acks).singleElement().satisfies(e -> {
                assertThat(e.state()).isEqualTo(RunAck.State.REFUSED);
                assertThat(e.reason()).contains("inc-old").contains("inc-new");
            });
            assertThat(m.transport().acks).allSatisfy(ack -> {
                assertThat(ack.node()).isEqualTo("member-d");
                assertThat(ack.incarnation()).isEqualTo("inc-new");
            });
            assertThat(m.journal().get(a.key())).isEmpty();
            assertThat(m.journal().unreported()).isEmpty();
            assertThat(m.runner().runningCount()).isZero();
            assertThat(out).doesNotExist();
        }
    }

    // ---- late orders are claimed through Raft first --------------------------------------------------------

    private static long planManualRun(String job, Instant at, Target target) throws Exception {
        var planned = new Command.PlannedRun(job, 0, at, null, Run.Trigger.MANUAL, List.of(target), null);
        Reply reply = client.submit(new Command.PlanRuns(Instant.now(), List.of(planned), List.of()),
                Duration.ofSeconds(10));
        assertThat(reply.ok()).as(reply.error()).isTrue();
        assertThat(reply.value().path("runs").path(0).path("accepted").asBoolean()).isTrue();
        return reply.value().path("runs").path(0).path("run_id").asLong();
    }

    @Test
    void lateOrderForAnOpenAttemptIsClaimedThenRun() throws Exception {
        String name = "late-open";
        Path out = tmp.resolve("late-open.out");
        Job job = shellJob(name, "@manually", "echo ran >> " + sh(out), 0);
        put(job);
        Instant scheduled = Instant.now().minusSeconds(5);
        long runId = planManualRun(name, scheduled, new Target("member-f", "inc-f"));
        try (Worker m = Worker.start(tmp.resolve("member-f"), "member-f", "inc-f")) {
            RunOrder.Attempt a = new RunOrder.Attempt(job, runId, 1, "inc-f", scheduled, scheduled);
            m.transport().sendOrder("member-f", new RunOrder("leader", 1, List.of(a)));

            await().atMost(Duration.ofSeconds(10)).until(() -> !m.transport().entriesFor(a.key()).isEmpty());
            assertThat(m.transport().entriesFor(a.key())).extracting(RunAck.Entry::state)
                    .containsExactly(RunAck.State.ACCEPTED);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(executions(name)).singleElement().satisfies(e -> {
                        assertThat(e.group()).isEqualTo(runId);
                        assertThat(e.nodeName()).isEqualTo("member-f");
                        assertThat(e.status()).isEqualTo(Execution.SUCCEEDED);
                    }));
            assertThat(Files.readAllLines(out)).containsExactly("ran");
        }
    }

    @Test
    void lateOrderRacingALostVerdictIsRefusedAndDoesNotRun() throws Exception {
        String name = "late-lost";
        Path out = tmp.resolve("late-lost.out");
        Job job = shellJob(name, "@manually", "echo ran >> " + sh(out), 0);
        put(job);
        Instant scheduled = Instant.now().minusSeconds(10);
        long runId = planManualRun(name, scheduled, new Target("member-g", "inc-g"));
        Reply lost = client.submit(new Command.LoseAttempts(Instant.now(),
                List.of(new Command.AttemptRef(name, runId, 1, "member-g")), "test verdict"), Duration.ofSeconds(10));
        assertThat(lost.value().path("closed").asInt()).isEqualTo(1);

        try (Worker m = Worker.start(tmp.resolve("member-g"), "member-g", "inc-g")) {
            RunOrder.Attempt a = new RunOrder.Attempt(job, runId, 1, "inc-g", scheduled, scheduled);
            m.transport().sendOrder("member-g", new RunOrder("leader", 1, List.of(a)));

            await().atMost(Duration.ofSeconds(10)).until(() -> !m.transport().entriesFor(a.key()).isEmpty());
            assertThat(m.transport().entriesFor(a.key())).singleElement().satisfies(e -> {
                assertThat(e.state()).isEqualTo(RunAck.State.REFUSED);
                assertThat(e.reason()).startsWith("claim");
            });
            assertThat(m.journal().get(a.key())).isEmpty();
            assertThat(m.runner().runningCount()).isZero();
        }
        assertThat(out).doesNotExist();
        assertThat(executions(name)).singleElement().satisfies(e -> {
            assertThat(e.status()).isEqualTo(Execution.FAILED);
            assertThat(e.output()).contains("member lost");
        });
    }

    @Test
    void lateOrderWhoseClaimCannotBeCommittedIsNotRefusedForGood() throws Exception {
        Path out = tmp.resolve("late-unreachable.out");
        Job job = shellJob("late-unreachable", "@manually", "echo ran >> " + sh(out), 0);
        CapturingTransport transport = new CapturingTransport();
        Path dir = tmp.resolve("member-h");
        int deadPort = freePort();
        try (StoreClient unreachable = new StoreClient(List.of(new StoreServerConfig.Peer(NODE,
                "127.0.0.1:" + deadPort)));
             RunJournal journal = new RunJournal(dir.resolve("journal"), Duration.ofMinutes(10));
             ProcessGroups groups = new ProcessGroups(dir.resolve("process-groups"));
             Reporter reporter = new Reporter(unreachable, "member-h", journal, Clock.systemUTC(),
                     Duration.ofMillis(50));
             Runner runner = new Runner("member-h", "inc-h", journal, ExecutorRegistry.builtIn(),
                     new ProcessorChain(ProcessorRegistry.builtIn(), "member-h", dir, OutputBuffer.DEFAULT_CAPACITY),
                     groups, reporter,
                     transport, unreachable, Clock.systemUTC(), DispatchObserver.NONE, Runner.Settings.defaults())) {
            Instant scheduled = Instant.now().minusSeconds(10);
            RunOrder.Attempt a = new RunOrder.Attempt(job, 4545L, 1, "inc-h", scheduled, scheduled);
            transport.sendOrder("member-h", new RunOrder("leader", 1, List.of(a)));

            await().during(Duration.ofSeconds(25)).atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(transport.entriesFor(a.key())).noneMatch(e -> e.state() == RunAck.State.REFUSED));
        }
        assertThat(out).doesNotExist();
    }

    // ---- (e) the lost member --------------------------------------------------------------------------------

    @Test
    void attemptForAnIncarnationOutsideTheViewIsClosedAsLost() throws Exception {
        String name = "orphan";
        Path out = tmp.resolve("orphan.out");
        put(shellJob(name, "@manually", "echo ran >> " + sh(out), 0));

        Instant now = Instant.now();
        var planned = new Command.PlannedRun(name, 0, now, null, Run.Trigger.MANUAL,
                List.of(new Target(NODE, "incarnation-that-never-was")), null);
        long submitted = System.nanoTime();
        Reply reply = client.submit(new Command.PlanRuns(now, List.of(planned), List.of()), Duration.ofSeconds(10));
        assertThat(reply.ok()).as(reply.error()).isTrue();
        assertThat(reply.value().path("runs").path(0).path("accepted").asBoolean()).isTrue();
        long runId = reply.value().path("runs").path(0).path("run_id").asLong();

        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).untilAsserted(() ->
                assertThat(executions(name)).singleElement().satisfies(e -> {
                    assertThat(e.group()).isEqualTo(runId);
                    assertThat(e.status()).isEqualTo(Execution.FAILED);
                }));
        Duration took = Duration.ofNanos(System.nanoTime() - submitted);

        Execution lost = executions(name).get(0);
        assertThat(lost.success()).isFalse();
        assertThat(lost.attempt()).isEqualTo(1);
        assertThat(lost.nodeName()).isEqualTo(NODE);
        assertThat(lost.output()).contains("member lost");
        // Closed only after the incarnation was out of the view for the grace (~5 s), and not much later.
        assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(4500)).isLessThan(Duration.ofSeconds(9));
        Job job = storedJob(name);
        assertThat(job.errorCount()).isEqualTo(1);
        assertThat(job.status()).isEqualTo(Execution.FAILED);
        assertThat(openRuns()).noneMatch(r -> r.job().equals(name));

        // The order reached the member, which refused it: nothing ran.
        assertThat(RECORDER.dispatchedOf(name)).isNotEmpty()
                .allSatisfy(d -> assertThat(d.attempt().incarnation()).isEqualTo("incarnation-that-never-was"));
        assertThat(RECORDER.spawningOf(name)).isEmpty();
        assertThat(out).doesNotExist();
    }
}
