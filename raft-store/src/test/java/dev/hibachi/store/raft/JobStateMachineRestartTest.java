package dev.hibachi.store.raft;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hibachi.store.StoreTestSupport;
import dev.hibachi.store.apply.Reply;
import dev.hibachi.store.command.Command;
import dev.hibachi.store.command.Command.AttemptReport;
import dev.hibachi.store.event.StoreEvent;
import dev.hibachi.store.model.ClusterSettings;
import dev.hibachi.store.model.Run;
import dev.hibachi.store.model.Target;
import dev.hibachi.store.index.JobFilter;
import dev.hibachi.store.index.JobSort;
import dev.hibachi.store.query.Query;
import dev.hibachi.store.rocks.Family;
import dev.hibachi.store.rocks.JobDatabase;
import dev.hibachi.store.rocks.Keys;
import dev.hibachi.store.rocks.StoreView;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static dev.hibachi.store.StoreTestSupport.job;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A single-node store server restarted on its data directory: the live database is the truth, the log after it
 * is replayed and nothing before it, and a snapshot older than the database never rolls it back.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class JobStateMachineRestartTest {
    static final Instant T0 = Instant.parse("2024-03-01T12:00:00Z");
    static final Duration WAIT = Duration.ofSeconds(10);
    static final Target N1 = new Target("n1", "inc-1");

    @TempDir
    Path dataDir;

    int port;
    StoreServer server;
    StoreClient client;
    final List<StoreEvent> events = new CopyOnWriteArrayList<>();

    @BeforeEach
    void pickPort() {
        port = StoreTestSupport.freePort();
    }

    @AfterEach
    void stop() throws IOException {
        stopServer();
    }

    @Test
    void aRestartFindsEverythingAtTheSameAppliedIndexAndReplaysNothing() throws Exception {
        startServer();
        assertThat(submit(new Command.InitCluster(T0, new ClusterSettings("UTC", 10, 5, 4096, 512))).ok()).isTrue();
        Map<String, Long> revisions = new java.util.TreeMap<>();
        for (int i = 0; i < 20; i++) {
            String name = String.format("job-%02d", i);
            Reply r = submit(new Command.PutJob(T0, job(name, "@every 10s")));
            assertThat(r.ok()).isTrue();
            revisions.put(name, r.index());
        }
        List<Long> runIds = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String name = String.format("job-%02d", i);
            Reply r = submit(new Command.PlanRuns(T0.plusSeconds(9), List.of(new Command.PlannedRun(name,
                    revisions.get(name), T0.plusSeconds(10), T0.plusSeconds(20), Run.Trigger.SCHEDULE, List.of(N1),
                    null)), List.of()));
            runIds.add(r.value().get("runs").get(0).get("run_id").asLong());
        }
        Reply finished = submit(new Command.ReportAttempts(T0.plusSeconds(12), "n1", "inc-1", List.of(
                new AttemptReport("job-00", runIds.get(0), 1, AttemptReport.Phase.FINISHED, T0.plusSeconds(10),
                        T0.plusSeconds(12), true, 0, "done\n", false))));
        assertThat(finished.value().get("verdicts").get(0).get("verdict").asText()).isEqualTo("accepted");
        assertThat(submit(new Command.DeleteJob(T0.plusSeconds(13), "job-19")).ok()).isTrue();
        // a refusal is recorded in the store too: replaying the log would record it a second time
        assertThat(submit(new Command.DeleteJob(T0.plusSeconds(14), "job-19")).status()).isEqualTo(404);

        Snapshot before = snapshotThroughQueries();
        assertThat(before.jobs()).hasSize(19);
        assertThat(before.listed().path("total").asInt()).isEqualTo(10); // job-00..job-09
        assertThat(before.listed().path("jobs")).hasSize(7);
        // job-00..02 are planned with the same next: first by next DESC, then by name DESC; [1, 8) skips job-02
        assertThat(before.listed().path("jobs").get(0).path("name").asText()).isEqualTo("job-01");
        assertThat(before.listed().path("jobs").get(2).path("name").asText()).isEqualTo("job-09");
        assertThat(before.openRuns()).hasSize(2);
        await().atMost(WAIT).until(() -> storeApplied(server) == server.lastAppliedIndex());
        long appliedBefore = server.lastAppliedIndex();
        stopServer();

        // the store itself recorded exactly what Ratis applied
        Map<Family, List<String>> onDisk;
        try (JobDatabase db = JobDatabase.open(storeDir())) {
            assertThat(new StoreView(db).applied()[0]).isEqualTo(appliedBefore);
            onDisk = withoutAppliedIndex(db);
        }

        startServer();
        Snapshot after = snapshotThroughQueries();
        assertThat(after).isEqualTo(before);
        // only the new term's own entry (no command) was applied after the restart
        assertThat(events).isEmpty();
        long appliedAfter = server.lastAppliedIndex();
        assertThat(appliedAfter).isGreaterThan(appliedBefore).isLessThanOrEqualTo(appliedBefore + 2);
        await().atMost(WAIT).until(() -> storeApplied(server) == server.lastAppliedIndex());
        stopServer();
        try (JobDatabase db = JobDatabase.open(storeDir())) {
            assertThat(withoutAppliedIndex(db)).isEqualTo(onDisk);
        }

        // and the store still takes writes where it left off
        startServer();
        Reply more = submit(new Command.PutJob(T0.plusSeconds(30), job("job-20", "@every 10s")));
        assertThat(more.ok()).isTrue();
        assertThat(more.index()).isGreaterThan(appliedAfter);
        assertThat(submit(new Command.PlanRuns(T0.plusSeconds(9), List.of(new Command.PlannedRun("job-01",
                revisions.get("job-01"), T0.plusSeconds(10), T0.plusSeconds(20), Run.Trigger.SCHEDULE, List.of(N1),
                null)), List.of())).value().get("runs").get(0).get("accepted").asBoolean())
                .as("the instant planned before the restart stays planned").isFalse();
    }

    @Test
    void aSnapshotThenMoreWritesThenARestartKeepsTheLaterWrites() throws Exception {
        startServer();
        for (int i = 0; i < 30; i++) {
            assertThat(submit(new Command.PutJob(T0, job("early-" + i, "@every 10s"))).ok()).isTrue();
        }
        await().atMost(WAIT).until(() -> storeApplied(server) == server.lastAppliedIndex());
        long applied = server.lastAppliedIndex();

        long snapshotIndex = server.snapshotNow();

        assertThat(snapshotIndex).isEqualTo(applied);
        Path snapshotDir = snapshotDirs().stream()
                .filter(p -> p.getFileName().toString().endsWith("_" + snapshotIndex)).findFirst().orElseThrow();
        // the checkpoint is a complete store at exactly the snapshot's index
        Path copy = dataDir.resolve("snapshot-copy");
        copyDir(snapshotDir, copy);
        try (JobDatabase db = JobDatabase.open(copy)) {
            StoreView v = new StoreView(db);
            assertThat(v.applied()[0]).isEqualTo(snapshotIndex);
            assertThat(v.jobs(null, 1000)).hasSize(30);
        }

        for (int i = 0; i < 10; i++) {
            assertThat(submit(new Command.PutJob(T0.plusSeconds(1), job("late-" + i, "@every 1m"))).ok()).isTrue();
        }
        for (int i = 0; i < 5; i++) {
            assertThat(submit(new Command.DeleteJob(T0.plusSeconds(2), "early-" + i)).ok()).isTrue();
        }
        Snapshot before = snapshotThroughQueries();
        assertThat(before.jobs()).hasSize(35);
        stopServer();

        startServer();
        Snapshot after = snapshotThroughQueries();
        assertThat(after).isEqualTo(before);
        assertThat(server.stateMachine().read((StoreView v) -> v.job("early-0").isPresent())).isFalse();
        assertThat(server.stateMachine().read((StoreView v) -> v.job("late-9").isPresent())).isTrue();
        assertThat(events).as("nothing replayed, no snapshot reloaded").isEmpty();
        await().atMost(WAIT).until(() -> storeApplied(server) == server.lastAppliedIndex());

        // once more, without writes in between
        stopServer();
        startServer();
        assertThat(snapshotThroughQueries()).isEqualTo(before);
    }

    /**
     * The snapshot's name says which log index it holds; Ratis resumes a follower that installs it right after that
     * index. An entry being applied while {@code snapshotNow()} runs must therefore be either wholly in the
     * checkpoint and counted in its index, or not in it at all. The blocking listener only widens a window that is
     * always there: the applier commits the entry (with its index) before the state machine updates its last
     * applied index.
     */
    @Test
    void aSnapshotTakenWhileAnEntryIsAppliedHoldsExactlyTheIndexInItsName() throws Exception {
        CountDownLatch inApply = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        server = StoreServer.create(config());
        server.addListener(e -> {
            if (e instanceof StoreEvent.JobChanged c && c.job().name().equals("slow")) {
                inApply.countDown();
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        server.start();
        await().atMost(WAIT).until(server::isLeaderReady);
        client = new StoreClient(config().initialPeers());
        assertThat(submit(new Command.PutJob(T0, job("fast", "@every 10s"))).ok()).isTrue();

        CompletableFuture<Reply> slow = client.submit(new Command.PutJob(T0, job("slow", "@every 10s")));
        assertThat(inApply.await(10, TimeUnit.SECONDS)).isTrue();
        long snapshotIndex;
        try {
            snapshotIndex = server.snapshotNow();
        } finally {
            release.countDown();
        }
        assertThat(slow.get(10, TimeUnit.SECONDS).ok()).isTrue();

        Path snapshotDir = snapshotDirs().stream()
                .filter(p -> p.getFileName().toString().endsWith("_" + snapshotIndex)).findFirst().orElseThrow();
        Path copy = dataDir.resolve("snapshot-copy");
        copyDir(snapshotDir, copy);
        try (JobDatabase db = JobDatabase.open(copy)) {
            assertThat(new StoreView(db).applied()[0]).as("applied index inside snapshot %s", snapshotDir.getFileName())
                    .isEqualTo(snapshotIndex);
        }
    }

    // ---- helpers ----------------------------------------------------------------------------------------

    record Snapshot(JsonNode jobs, JsonNode listed, JsonNode openRuns, JsonNode executions, JsonNode settings) {
    }

    /** What a client sees, read linearizably through Raft. */
    Snapshot snapshotThroughQueries() throws Exception {
        JsonNode jobs = client.query(Query.ListJobs.byName(0, 10_000), WAIT).value().path("jobs");
        // a listing from the job index, which the store rebuilds when it opens
        JsonNode listed = client.query(new Query.ListJobs(new JobFilter(null, "-0", null, false), JobSort.NEXT, true,
                1, 8), WAIT).value();
        JsonNode runs = client.query(new Query.ListOpenRuns(), WAIT).value();
        Reply executions = client.query(Query.ListExecutions.newest("job-00", 100, -1), WAIT);
        Reply settings = client.query(new Query.GetSettings(), WAIT);
        return new Snapshot(jobs, listed, runs, executions.ok() ? executions.value() : null,
                settings.ok() ? settings.value() : null);
    }

    StoreServerConfig config() {
        return StoreServerConfig.singleNode("n1", "127.0.0.1", port, dataDir);
    }

    Path storeDir() {
        return dataDir.resolve("store");
    }

    void startServer() throws IOException {
        events.clear();
        server = StoreServer.create(config());
        server.addListener(events::add);
        server.start();
        await().atMost(WAIT).until(server::isLeaderReady);
        client = new StoreClient(config().initialPeers());
    }

    void stopServer() throws IOException {
        if (client != null) {
            client.close();
            client = null;
        }
        if (server != null) {
            server.close();
            server = null;
        }
    }

    Reply submit(Command c) throws StoreUnavailableException {
        return client.submit(c, WAIT);
    }

    static long storeApplied(StoreServer s) {
        return s.stateMachine().read(v -> v.applied()[0]);
    }

    List<Path> snapshotDirs() throws IOException {
        Path sm = server.raftDir().toPath().resolve(StoreGroup.ID.getUuid().toString()).resolve("sm");
        try (Stream<Path> s = Files.list(sm)) {
            return s.filter(p -> p.getFileName().toString().startsWith("snapshot.")).toList();
        }
    }

    static void copyDir(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> s = Files.list(from)) {
            for (Path f : s.toList()) {
                Files.copy(f, to.resolve(f.getFileName()));
            }
        }
    }

    /** Every family, without the applied index (which moves with entries that carry no command). */
    static Map<Family, List<String>> withoutAppliedIndex(JobDatabase db) {
        Map<Family, List<String>> all = StoreTestSupport.dump(db);
        List<String> meta = new ArrayList<>();
        db.scan(Family.META, new byte[0], null, (k, v) -> {
            if (!Keys.string(k).equals("applied")) {
                meta.add(Keys.string(k) + "=" + java.util.Arrays.toString(v));
            }
            return true;
        });
        all.put(Family.META, meta);
        return all;
    }
}
