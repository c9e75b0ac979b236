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
import dev.hibachi.agent.exec.ProcessGroups;
import dev.hibachi.agent.exec.RunningExecution;
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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The member's runner on its own: a gate executor holds starts, so the backlog is exact. */
class RunnerTest {

    @TempDir
    Path tmp;

    private final GateExecutor gate = new GateExecutor();
    private final List<RunAck> acks = new CopyOnWriteArrayList<>();
    private final List<AutoCloseable> parts = new ArrayList<>();
    private final Job job = StoreTestSupport.with(StoreTestSupport.job("gated", "@manually"), "executor", "gate");
    private InProcessTransport transport;
    private RunJournal journal;

    /** Starts block until the gate opens; then each run succeeds at once. */
    private static final class GateExecutor implements Executor {
        final CountDownLatch gate = new CountDownLatch(1);

        @Override
        public String name() {
            return "gate";
        }

        @Override
        public void validate(Map<String, String> config) {
        }

        @Override
        public RunningExecution start(ExecutionRequest request) {
            try {
                gate.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return RunningExecution.finished(new ExecutionResult(true, 0, "through\n", false));
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
        Runner runner = new Runner("m1", "inc-1", journal, ExecutorRegistry.of(gate), groups, reporter, transport,
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
        Instant now = Instant.now();
        return new RunOrder.Attempt(job, runId, 1, "inc-1", now, now);
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
