package dev.hibachi.agent.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.hibachi.agent.dispatch.DispatchObserver;
import dev.hibachi.agent.dispatch.InProcessTransport;
import dev.hibachi.agent.dispatch.RunAck;
import dev.hibachi.agent.dispatch.RunOrder;
import dev.hibachi.agent.exec.ExecutionRequest;
import dev.hibachi.agent.exec.ExecutionResult;
import dev.hibachi.agent.exec.Executor;
import dev.hibachi.agent.exec.OutputBuffer;
import dev.hibachi.agent.exec.ProcessGroups;
import dev.hibachi.agent.exec.RunningExecution;
import dev.hibachi.agent.process.ProcessorChain;
import dev.hibachi.agent.process.ProcessorRegistry;
import dev.hibachi.store.StoreTestSupport;
import dev.hibachi.store.model.Job;
import dev.hibachi.store.raft.StoreClient;
import dev.hibachi.store.raft.StoreServerConfig;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The member's runner on its own: a gate executor holds starts, so the backlog is exact; a held executor's runs
 * last until they are killed, so a kill's every path can be reached on purpose.
 */
class RunnerTest {

    @TempDir
    Path tmp;

    private final GateExecutor gate = new GateExecutor();
    private final HeldExecutor held = new HeldExecutor();
    private final List<RunAck> acks = new CopyOnWriteArrayList<>();
    private final List<AutoCloseable> parts = new ArrayList<>();
    private final Job job = StoreTestSupport.with(StoreTestSupport.job("gated", "@manually"), "executor", "gate");
    private final Job heldJob = StoreTestSupport.with(StoreTestSupport.job("held", "@manually"), "executor", "held");
    private InProcessTransport transport;
    private RunJournal journal;

    /** Starts block until the gate opens; then each run succeeds at once. */
    private static final class GateExecutor implements Executor {
        final CountDownLatch gate = new CountDownLatch(1);
        final AtomicInteger starts = new AtomicInteger();

        @Override
        public String name() {
            return "gate";
        }

        @Override
        public void validate(Map<String, String> config) {
        }

        @Override
        public RunningExecution start(ExecutionRequest request) {
            starts.incrementAndGet();
            try {
                gate.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return RunningExecution.finished(new ExecutionResult(true, 0, "through\n", false));
        }
    }

    /**
     * Starts wait at the gate ({@code entered} tells one is there); the run then lasts until it is killed and
     * {@code release} is opened. Its kills are recorded with their reasons.
     */
    private static final class HeldExecutor implements Executor {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch gate = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final List<String> kills = new CopyOnWriteArrayList<>();

        @Override
        public String name() {
            return "held";
        }

        @Override
        public void validate(Map<String, String> config) {
        }

        @Override
        public RunningExecution start(ExecutionRequest request) {
            entered.countDown();
            try {
                gate.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            CompletableFuture<ExecutionResult> done = new CompletableFuture<>();
            return new RunningExecution() {
                @Override
                public CompletableFuture<ExecutionResult> completion() {
                    return done;
                }

                @Override
                public void kill(String reason, Duration grace) {
                    kills.add(reason);
                    CompletableFuture.runAsync(() -> {
                        try {
                            release.await(30, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        done.complete(new ExecutionResult(false, 143, "[" + reason + "]\n", false));
                    });
                }

                @Override
                public OptionalLong processGroup() {
                    return OptionalLong.empty();
                }
            };
        }
    }

    /** A member "m1" (incarnation "inc-1") whose store cannot be reached: fresh orders never need it. */
    private Runner member(Runner.Settings settings) {
        StoreClient store = new StoreClient(List.of(new StoreServerConfig.Peer("s",
                "127.0.0.1:" + StoreTestSupport.freePort())));
        journal = new RunJournal(tmp.resolve("journal"), Duration.ofMinutes(10));
        ProcessGroups groups = new ProcessGroups(tmp.resolve("pg"));
        Reporter reporter = new Reporter(store, "m1", journal, Clock.systemUTC(), Duration.ofMillis(50));
        transport = new InProcessTransport();
        transport.onAck(acks::add);
        Runner runner = new Runner("m1", "inc-1", journal, ExecutorRegistry.of(gate, held),
                new ProcessorChain(ProcessorRegistry.builtIn(), "m1", tmp, OutputBuffer.DEFAULT_CAPACITY), groups, reporter,
                transport,
                store, Clock.systemUTC(), DispatchObserver.NONE, settings);
        parts.addAll(List.of(runner, transport, reporter, groups, journal, store));
        return runner;
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : parts) {
            c.close();
        }
    }

    private RunOrder.Attempt attempt(long runId) {
        return attempt(job, runId);
    }

    private static RunOrder.Attempt attempt(Job of, long runId) {
        Instant now = Instant.now();
        return new RunOrder.Attempt(of, runId, 1, "inc-1", now, now);
    }

    /** The leader's order to kill {@code a}, at the request of {@code by}. */
    private void kill(RunOrder.Attempt a, String by) {
        transport.sendOrder("m1", new RunOrder("leader", 1, List.of(RunOrder.Attempt.killOrder(a.job(), a.runId(),
                a.attempt(), a.incarnation(), a.scheduledAt(), by))));
    }

    private void order(RunOrder.Attempt... attempts) {
        transport.sendOrder("m1", new RunOrder("leader", 1, List.of(attempts)));
    }

    /** The states this member answered for {@code key}, in order. */
    private List<RunAck.State> answers(String key) {
        return acks.stream().flatMap(a -> a.entries().stream()).filter(e -> e.key().equals(key))
                .map(RunAck.Entry::state).toList();
    }

    private List<RunAck.State> awaitAnswers(String key, int count) {
        await().atMost(Duration.ofSeconds(10)).until(() -> answers(key).size() >= count);
        return answers(key);
    }

    @Test
    void aKillForAnAttemptNeverSeenHereClosesItAsKilledAndALaterOrderNeverRunsIt() {
        gate.gate.countDown();
        Runner runner = member(Runner.Settings.defaults());
        RunOrder.Attempt a = attempt(2001L);

        kill(a, "alice");
        assertThat(awaitAnswers(a.key(), 1)).containsExactly(RunAck.State.FINISHED);
        RunJournal.Attempt j = journal.get(a.key()).orElseThrow();
        assertThat(j.started().incarnation()).isEqualTo("inc-1");
        assertThat(j.finished().success()).isFalse();
        assertThat(j.finished().output()).isEqualTo("[hibachi: killed before it started, at the request of alice]\n");

        kill(a, "bob"); // a repeat: answered from the journal, nothing rewritten
        order(a); // the order to run it, arriving late: answered from the journal, never run
        assertThat(awaitAnswers(a.key(), 3)).containsExactly(RunAck.State.FINISHED, RunAck.State.FINISHED,
                RunAck.State.FINISHED);
        assertThat(journal.get(a.key()).orElseThrow().finished().output()).contains("alice").doesNotContain("bob");
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> gate.starts.get() == 0);
        assertThat(runner.runningCount()).isZero();
    }

    @Test
    void anAttemptKilledWhileWaitingForASpawnThreadIsNeverSpawned() {
        Runner runner = member(Runner.Settings.defaults().withSpawnThreads(1));
        RunOrder.Attempt first = attempt(3001L);
        RunOrder.Attempt second = attempt(3002L);
        order(first, second);
        await().atMost(Duration.ofSeconds(10)).until(() -> gate.starts.get() == 1); // first holds the only thread
        assertThat(answers(second.key())).containsExactly(RunAck.State.ACCEPTED);

        kill(second, "bob");
        assertThat(awaitAnswers(second.key(), 2)).containsExactly(RunAck.State.ACCEPTED, RunAck.State.FINISHED);
        RunJournal.Attempt j = journal.get(second.key()).orElseThrow();
        assertThat(j.finished().success()).isFalse();
        assertThat(j.finished().output()).isEqualTo("[hibachi: killed before it started, at the request of bob]\n");

        gate.gate.countDown();
        await().atMost(Duration.ofSeconds(10)).until(() -> runner.runningCount() == 0);
        assertThat(gate.starts.get()).as("the killed attempt was spawned").isEqualTo(1);
        assertThat(journal.get(first.key()).orElseThrow().finished().success()).isTrue();
        assertThat(journal.get(second.key()).orElseThrow().finished().output()).contains("bob");
    }

    @Test
    void aKillArrivingWhileTheProcessIsBeingStartedReachesItOnceRegistered() throws InterruptedException {
        held.release.countDown();
        member(Runner.Settings.defaults());
        RunOrder.Attempt a = attempt(heldJob, 4001L);
        order(a);
        assertThat(held.entered.await(10, TimeUnit.SECONDS)).isTrue(); // inside executor.start(), not yet registered

        kill(a, "carol");
        assertThat(awaitAnswers(a.key(), 2)).containsExactly(RunAck.State.ACCEPTED, RunAck.State.RUNNING);
        assertThat(held.kills).isEmpty();

        held.gate.countDown();
        await().atMost(Duration.ofSeconds(10)).until(() -> journal.get(a.key())
                .map(j -> j.finished() != null).orElse(false));
        assertThat(held.kills).containsExactly("killed at the request of carol");
        RunJournal.Record finished = journal.get(a.key()).orElseThrow().finished();
        assertThat(finished.success()).isFalse();
        assertThat(finished.output()).isEqualTo("[killed at the request of carol]\n");
    }

    @Test
    void repeatedKillsOfARunningAttemptAreHarmlessAndTheFirstAskerIsNamed() throws InterruptedException {
        held.gate.countDown();
        Runner runner = member(Runner.Settings.defaults());
        RunOrder.Attempt a = attempt(heldJob, 5001L);
        order(a);
        assertThat(held.entered.await(10, TimeUnit.SECONDS)).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> runner.runningCount() == 1
                && !answers(a.key()).isEmpty());

        kill(a, "alice");
        kill(a, "bob");
        assertThat(awaitAnswers(a.key(), 3)).containsExactly(RunAck.State.ACCEPTED, RunAck.State.RUNNING,
                RunAck.State.RUNNING);
        assertThat(held.kills).containsOnly("killed at the request of alice").isNotEmpty();

        held.release.countDown();
        await().atMost(Duration.ofSeconds(10)).until(() -> runner.runningCount() == 0);
        int killsSeen = held.kills.size();
        kill(a, "dave");
        assertThat(awaitAnswers(a.key(), 4)).last().isEqualTo(RunAck.State.FINISHED);
        assertThat(held.kills).hasSize(killsSeen);
        assertThat(journal.get(a.key()).orElseThrow().finished().output()).isEqualTo("[killed at the request of alice]\n");
    }

    @Test
    void attemptsBeyondTheBacklogFailAtOnceWithTheReasonAndTheRestStillRun() {
        Runner runner = member(Runner.Settings.defaults().withSpawnThreads(1).withMaxWaiting(2));
        List<RunOrder.Attempt> attempts = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            attempts.add(attempt(1000L + i));
        }
        transport.sendOrder("m1", new RunOrder("leader", 1, attempts));

        await().atMost(Duration.ofSeconds(10)).until(() -> acks.stream().mapToLong(a -> a.entries().size()).sum() == 5);
        assertThat(acks).flatExtracting(RunAck::entries).extracting(RunAck.Entry::state)
                .containsOnly(RunAck.State.ACCEPTED);
        // Two wait (one inside the gate, one queued); the other three are closed as failed, with the reason.
        for (RunOrder.Attempt a : attempts.subList(2, 5)) {
            RunJournal.Attempt j = journal.get(a.key()).orElseThrow();
            assertThat(j.finished()).as(a.key()).isNotNull();
            assertThat(j.finished().success()).isFalse();
            assertThat(j.finished().output()).contains("not started: m1 is overloaded, 2 attempts were already waiting");
        }
        assertThat(runner.runningCount()).isEqualTo(2);

        gate.gate.countDown();
        await().atMost(Duration.ofSeconds(10)).until(() -> runner.runningCount() == 0);
        for (RunOrder.Attempt a : attempts.subList(0, 2)) {
            RunJournal.Attempt j = journal.get(a.key()).orElseThrow();
            assertThat(j.finished().success()).as(a.key()).isTrue();
            assertThat(j.finished().output()).isEqualTo("through\n");
        }
    }

    @Test
    void anOrderFromAnOlderTermThanOneSeenIsDropped() {
        gate.gate.countDown();
        member(Runner.Settings.defaults());
        RunOrder.Attempt fromNew = attempt(1L);
        RunOrder.Attempt fromOld = attempt(2L);
        RunOrder.Attempt later = attempt(3L);
        transport.sendOrder("m1", new RunOrder("s2", 5, List.of(fromNew)));
        transport.sendOrder("m1", new RunOrder("s1", 4, List.of(fromOld)));
        transport.sendOrder("m1", new RunOrder("s2", 5, List.of(later)));

        await().atMost(Duration.ofSeconds(10)).until(() -> journal.get(later.key()).isPresent());
        assertThat(journal.get(fromNew.key())).isPresent();
        assertThat(journal.get(fromOld.key())).isEmpty();
        assertThat(acks).flatExtracting(RunAck::entries).extracting(RunAck.Entry::key)
                .containsExactly(fromNew.key(), later.key());
    }
}
