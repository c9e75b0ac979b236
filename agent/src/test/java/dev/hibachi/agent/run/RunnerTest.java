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
import java.io.IOException;
import java.net.ServerSocket;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The member's runner on its own: a gate executor holds starts, so the backlog is exact. */
class RunnerTest {

    @TempDir
    Path tmp;

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
            CompletableFuture<ExecutionResult> done =
                    CompletableFuture.completedFuture(new ExecutionResult(true, 0, "through\n", false));
            return new RunningExecution() {
                @Override
                public CompletableFuture<ExecutionResult> completion() {
                    return done;
                }

                @Override
                public void kill(String reason, Duration grace) {
                }

                @Override
                public OptionalLong processGroup() {
                    return OptionalLong.empty();
                }
            };
        }
    }

    @Test
    void attemptsBeyondTheBacklogFailAtOnceWithTheReasonAndTheRestStillRun() throws Exception {
        GateExecutor gate = new GateExecutor();
        List<RunAck> acks = new CopyOnWriteArrayList<>();
        // No store is reachable: fresh orders never need it, and reports wait in the journal.
        try (StoreClient store = new StoreClient(List.of(new StoreServerConfig.Peer("s", "127.0.0.1:" + freePort())));
             RunJournal journal = new RunJournal(tmp.resolve("journal"), Duration.ofMinutes(10));
             ProcessGroups groups = new ProcessGroups(tmp.resolve("pg"));
             Reporter reporter = new Reporter(store, "m1", journal, Clock.systemUTC(), Duration.ofMillis(50));
             InProcessTransport transport = new InProcessTransport();
             Runner runner = new Runner("m1", "inc-1", journal, ExecutorRegistry.of(gate), groups, reporter, transport,
                     store, Clock.systemUTC(), DispatchObserver.NONE,
                     Runner.Settings.defaults().withSpawnThreads(1).withMaxWaiting(2))) {
            transport.onAck(acks::add);
            Job job = StoreTestSupport.with(StoreTestSupport.job("gated", "@manually"), "executor", "gate");
            Instant now = Instant.now();
            List<RunOrder.Attempt> attempts = new ArrayList<>();
            for (int i = 1; i <= 5; i++) {
                attempts.add(new RunOrder.Attempt(job, 1000L + i, 1, "inc-1", now, now));
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
    }

    @Test
    void anOrderFromAnOlderTermThanOneSeenIsDropped() throws Exception {
        GateExecutor gate = new GateExecutor();
        gate.gate.countDown();
        List<RunAck> acks = new CopyOnWriteArrayList<>();
        try (StoreClient store = new StoreClient(List.of(new StoreServerConfig.Peer("s", "127.0.0.1:" + freePort())));
             RunJournal journal = new RunJournal(tmp.resolve("journal"), Duration.ofMinutes(10));
             ProcessGroups groups = new ProcessGroups(tmp.resolve("pg"));
             Reporter reporter = new Reporter(store, "m1", journal, Clock.systemUTC(), Duration.ofMillis(50));
             InProcessTransport transport = new InProcessTransport();
             Runner runner = new Runner("m1", "inc-1", journal, ExecutorRegistry.of(gate), groups, reporter, transport,
                     store, Clock.systemUTC(), DispatchObserver.NONE, Runner.Settings.defaults())) {
            transport.onAck(acks::add);
            Job job = StoreTestSupport.with(StoreTestSupport.job("termed", "@manually"), "executor", "gate");
            Instant now = Instant.now();
            RunOrder.Attempt fromNew = new RunOrder.Attempt(job, 1L, 1, "inc-1", now, now);
            RunOrder.Attempt fromOld = new RunOrder.Attempt(job, 2L, 1, "inc-1", now, now);
            transport.sendOrder("m1", new RunOrder("s2", 5, List.of(fromNew)));
            transport.sendOrder("m1", new RunOrder("s1", 4, List.of(fromOld)));
            RunOrder.Attempt later = new RunOrder.Attempt(job, 3L, 1, "inc-1", now, now);
            transport.sendOrder("m1", new RunOrder("s2", 5, List.of(later)));

            await().atMost(Duration.ofSeconds(10)).until(() -> journal.get(later.key()).isPresent());
            assertThat(journal.get(fromNew.key())).isPresent();
            assertThat(journal.get(fromOld.key())).isEmpty();
            assertThat(acks).flatExtracting(RunAck::entries).extracting(RunAck.Entry::key)
                    .containsExactly(fromNew.key(), later.key());
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
