package dev.hibachi.agent.run;

import dev.hibachi.agent.exec.OutputBuffer;
import dev.hibachi.agent.process.ProcessorChain;
import dev.hibachi.agent.process.ProcessorRegistry;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hibachi.agent.Agent;
import dev.hibachi.agent.AgentConfig;
import dev.hibachi.agent.dispatch.DispatchObserver;
import dev.hibachi.agent.dispatch.InProcessTransport;
import dev.hibachi.agent.dispatch.RunOrder;
import dev.hibachi.agent.exec.ProcessGroups;
import dev.hibachi.store.StoreTestSupport;
import dev.hibachi.store.apply.Reply;
import dev.hibachi.store.command.Command;
import dev.hibachi.store.json.Json;
import dev.hibachi.store.model.Job;
import dev.hibachi.store.model.Run;
import dev.hibachi.store.model.Target;
import dev.hibachi.store.query.Query;
import dev.hibachi.store.raft.StoreClient;
import dev.hibachi.store.raft.StoreServerConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The member side of artifacts against a real store: an agent that stops after a run ended but before its report
 * reached the store still has the run's folder, and its next start collects it again with the report.
 */
class ArtifactRecoveryTest {
    private static final String NODE = "node-1";

    @TempDir
    static Path tmp;
    static Agent agent;
    static StoreClient client;

    @BeforeAll
    static void start() throws Exception {
        int rpcPort = StoreTestSupport.freePort();
        agent = Agent.start(AgentConfig.dev(NODE, tmp.resolve("agent"), StoreTestSupport.freePort(), rpcPort,
                StoreTestSupport.freeGossipPort()).withShutdownGrace(Duration.ofSeconds(2)));
        client = new StoreClient(List.of(new StoreServerConfig.Peer(NODE, "127.0.0.1:" + rpcPort)));
        await().atMost(Duration.ofSeconds(30)).until(() -> agent.isLeader() && agent.healthy());
    }

    @AfterAll
    static void stop() throws Exception {
        if (client != null) {
            client.close();
        }
        if (agent != null) {
            agent.close();
        }
    }

    /** The runner parts as Agent wires them, on {@code dir}, reporting through {@code store}. */
    private record Member(InProcessTransport transport, RunJournal journal, ProcessGroups groups, Reporter reporter,
                          Runner runner, ArtifactFolders folders) implements AutoCloseable {
        static Member start(Path dir, StoreClient store) {
            InProcessTransport transport = new InProcessTransport();
            RunJournal journal = new RunJournal(dir.resolve("journal"), Duration.ofMinutes(10));
            ProcessGroups groups = new ProcessGroups(dir.resolve("process-groups"));
            ArtifactFolders folders = new ArtifactFolders(dir.resolve("artifacts"), ArtifactFolders.DEFAULT_BUDGET);
            Reporter reporter = new Reporter(store, "member-x", journal, Clock.systemUTC(), Duration.ofMillis(50),
                    folders);
            Runner runner = new Runner("member-x", "inc-x", journal, ExecutorRegistry.builtIn(),
                    new ProcessorChain(ProcessorRegistry.builtIn(), "member-x", dir, OutputBuffer.DEFAULT_CAPACITY),
                    groups, reporter,
                    transport, store, Clock.systemUTC(), DispatchObserver.NONE, Runner.Settings.defaults(), folders);
            return new Member(transport, journal, groups, reporter, runner, folders);
        }

        @Override
        public void close() throws Exception {
            runner.close();
            reporter.close();
            transport.close();
            journal.close();
            groups.close();
        }
    }

    @Test
    void aResultNotYetReportedIsReportedWithItsArtifactsAfterARestart() throws Exception {
        ObjectNode node = Json.mapper().valueToTree(Job.of("recovered", "@manually", "shell", Map.of("command",
                "printf 'made before the crash' > \"$HIBACHI_ARTIFACTS/kept.txt\"", "shell", "true")));
        Job job = Json.mapper().convertValue(node, Job.class);
        assertThat(agent.jobs().putJob(job).ok()).isTrue();
        Instant now = Instant.now();
        Reply planned = client.submit(new Command.PlanRuns(now, List.of(new Command.PlannedRun("recovered", 0, now,
                null, Run.Trigger.MANUAL, List.of(new Target("member-x", "inc-x")), null)), List.of()),
                Duration.ofSeconds(10));
        long runId = planned.value().path("runs").path(0).path("run_id").asLong();
        Path dir = tmp.resolve("member-x");
        RunOrder.Attempt attempt = new RunOrder.Attempt(job, runId, 1, "inc-x", now, now);

        // First life: the store cannot be reached, so the result stays journaled and the folder stays on disk.
        try (StoreClient unreachable = new StoreClient(List.of(new StoreServerConfig.Peer(NODE,
                "127.0.0.1:" + StoreTestSupport.freePort())));
             Member m = Member.start(dir, unreachable)) {
            m.transport().sendOrder("member-x", new RunOrder("leader", 1, List.of(attempt)));
            await().atMost(Duration.ofSeconds(10)).until(() -> m.journal().get(attempt.key())
                    .map(RunJournal.Attempt::state).orElse(null) == RunJournal.State.FINISHED);
        }
        Path folder = dir.resolve("artifacts").resolve("recovered").resolve(runId + "-1");
        assertThat(folder.resolve("kept.txt")).hasContent("made before the crash");
        // a folder whose report reached the store before an earlier crash: nothing needs it any more
        Path stale = Files.createDirectories(dir.resolve("artifacts").resolve("old-job").resolve("7-1"));
        Files.writeString(stale.resolve("x"), "x");

        // Second life: recovery reports the journaled result, with the artifacts collected again.
        try (Member m = Member.start(dir, client)) {
            m.runner().recover();
            assertThat(stale).doesNotExist();
            await().atMost(Duration.ofSeconds(10)).until(() -> m.journal().get(attempt.key())
                    .map(RunJournal.Attempt::state).orElse(null) == RunJournal.State.REPORTED);
            String id = runId + "-1-member-x";
            Reply listed = client.query(new Query.ListArtifacts("recovered", id), Duration.ofSeconds(10));
            assertThat(listed.value().toString()).isEqualTo("[{\"path\":\"kept.txt\",\"size\":21}]");
            Reply file = client.query(new Query.GetArtifact("recovered", id, "kept.txt"), Duration.ofSeconds(10));
            assertThat(new String(file.value().path("data").binaryValue())).isEqualTo("made before the crash");
            await().atMost(Duration.ofSeconds(10)).until(() -> !Files.exists(folder));
        }
    }
    /** The log index a probe write lands at: entries committed between two probes are the difference minus one. */
    private static long probe() throws Exception {
        Reply r = client.submit(new Command.SetPaused(Instant.now(), false), Duration.ofSeconds(10));
        assertThat(r.ok()).isTrue();
        return r.index();
    }

    @Test
    void aBacklogOfLargeResultsGoesInEntriesOfBoundedBytes() throws Exception {
        ObjectNode node = Json.mapper().valueToTree(Job.of("bulky", "@manually", "shell", Map.of("command",
                "head -c 1048576 /dev/urandom > \"$HIBACHI_ARTIFACTS/noise.bin\"", "shell", "true")));
        Job job = Json.mapper().convertValue(node, Job.class);
        assertThat(agent.jobs().putJob(job).ok()).isTrue();
        Path dir = tmp.resolve("member-y");
        List<RunOrder.Attempt> attempts = new java.util.ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Instant at = Instant.now().plusMillis(i);
            Reply planned = client.submit(new Command.PlanRuns(at, List.of(new Command.PlannedRun("bulky", 0, at,
                    null, Run.Trigger.MANUAL, List.of(new Target("member-x", "inc-x")), null)), List.of()),
                    Duration.ofSeconds(10));
            attempts.add(new RunOrder.Attempt(job, planned.value().path("runs").path(0).path("run_id").asLong(), 1,
                    "inc-x", at, at));
        }
        // All three finish while the store is out of reach, so the restart reports them in one batch.
        try (StoreClient unreachable = new StoreClient(List.of(new StoreServerConfig.Peer(NODE,
                "127.0.0.1:" + StoreTestSupport.freePort())));
             Member m = Member.start(dir, unreachable)) {
            m.transport().sendOrder("member-x", new RunOrder("leader", 1, attempts));
            await().atMost(Duration.ofSeconds(20)).until(() -> attempts.stream().allMatch(a -> m.journal()
                    .get(a.key()).map(RunJournal.Attempt::state).orElse(null) == RunJournal.State.FINISHED));
        }

        long before = probe();
        try (Member m = Member.start(dir, client)) {
            m.runner().recover();
            assertThat(m.reporter().flush(Duration.ofSeconds(20))).isTrue();
        }
        long entries = probe() - before - 1;

        // 1 MiB each: two would pass Reporter.MAX_ENTRY_BYTES, so each goes alone (other writes may come between)
        assertThat(entries).isGreaterThanOrEqualTo(3);
        for (RunOrder.Attempt a : attempts) {
            Reply listed = client.query(new Query.ListArtifacts("bulky", a.runId() + "-1-member-x"),
                    Duration.ofSeconds(10));
            assertThat(listed.value().toString()).isEqualTo("[{\"path\":\"noise.bin\",\"size\":1048576}]");
        }
    }
}
