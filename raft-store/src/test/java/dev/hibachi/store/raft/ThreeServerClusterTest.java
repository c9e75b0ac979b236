package dev.hibachi.store.raft;

import dev.hibachi.store.StoreTestSupport;
import dev.hibachi.store.apply.Reply;
import dev.hibachi.store.command.Command;
import dev.hibachi.store.event.StoreEvent;
import dev.hibachi.store.model.Job;
import dev.hibachi.store.index.JobFilter;
import dev.hibachi.store.index.JobSort;
import dev.hibachi.store.query.Query;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.rpc.SupportedRpcType;
import org.apache.ratis.server.raftlog.RaftLog;
import org.apache.ratis.util.TimeDuration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static dev.hibachi.store.StoreTestSupport.job;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Three real store servers (Ratis on gRPC, RocksDB on disk) on loopback ports, as in Ratis's own TestCounter
 * with a MiniRaftCluster, but with Hibachi's {@link StoreServer}: writes through a follower, the loss of the
 * leader, and a follower that fell so far behind that it can only catch up by installing a snapshot.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ThreeServerClusterTest {
    static final Instant T0 = Instant.parse("2024-03-01T12:00:00Z");
    static final Duration WAIT = Duration.ofSeconds(20);
    static final int SNAPSHOT_EVERY = 50;

    @TempDir
    Path root;

    final Map<String, StoreServerConfig> configs = new LinkedHashMap<>();
    final Map<String, StoreServer> running = new LinkedHashMap<>();
    final List<AutoCloseable> clients = new ArrayList<>();
    List<StoreServerConfig.Peer> peers;

    @BeforeEach
    void configure() {
        Set<Integer> ports = new TreeSet<>();
        while (ports.size() < 3) {
            ports.add(StoreTestSupport.freePort());
        }
        peers = new ArrayList<>();
        int i = 1;
        for (int port : ports) {
            peers.add(new StoreServerConfig.Peer("n" + i++, "127.0.0.1:" + port));
        }
        for (StoreServerConfig.Peer p : peers) {
            int port = Integer.parseInt(p.address().substring(p.address().indexOf(':') + 1));
            configs.put(p.id(), StoreServerConfig.singleNode(p.id(), "127.0.0.1", port, root.resolve(p.id()))
                    .withPeers(peers).withSnapshotEvery(SNAPSHOT_EVERY));
        }
    }

    @AfterEach
    void shutdown() throws Exception {
        for (AutoCloseable c : clients) {
            c.close();
        }
        // in parallel: a Ratis server waits for its gRPC channels to peers that are already gone
        CompletableFuture.allOf(running.values().stream().map(s -> CompletableFuture.runAsync(() -> {
            try {
                s.close();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        })).toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
    }

    @Test
    void everyAcknowledgedWriteSurvivesTheLossOfTheLeader() throws Exception {
        configs.keySet().forEach(this::start);
        StoreServer leader = awaitLeader();
        String followerId = running.keySet().stream().filter(id -> !id.equals(id(leader))).findFirst().orElseThrow();

        // The client knows only the follower: every write goes there first and is redirected to the leader.
        StoreClient viaFollower = client(peer(followerId));
        List<String> acknowledged = write(viaFollower, "job-", 0, 200);
        assertThat(acknowledged).hasSize(200);

        String oldLeader = id(leader);
        stop(oldLeader);
        StoreServer newLeader = awaitLeader();
        assertThat(id(newLeader)).isNotEqualTo(oldLeader);

        // Linearizable reads on the new leader: every acknowledged write is there.
        StoreClient onNewLeader = client(peer(id(newLeader)));
        Reply listed = onNewLeader.query(Query.ListJobs.byName(0, 10_000), WAIT);
        assertThat(listed.ok()).isTrue();
        Set<String> names = new TreeSet<>();
        listed.value().path("jobs").forEach(j -> names.add(j.get("name").asText()));
        assertThat(listed.value().path("total").asInt()).isEqualTo(names.size());
        assertThat(names).containsAll(acknowledged);
        assertThat(onNewLeader.query(new Query.GetJob("job-199"), WAIT).ok()).isTrue();

        // The two survivors are a quorum: the store takes writes, through the client that knew the follower too.
        List<String> more = write(viaFollower, "after-", 0, 20);
        assertThat(more).hasSize(20);

        // The old leader comes back on its data directory and catches up.
        start(oldLeader);
        StoreServer back = running.get(oldLeader);
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(back.lastAppliedIndex()).isGreaterThanOrEqualTo(newLeader.lastAppliedIndex());
            assertThat(localJobNames(back)).containsAll(acknowledged).containsAll(more);
        });
    }

    @Test
    void aFollowerThatFellBehindCatchesUpByInstallingASnapshot() throws Exception {
        configs.keySet().forEach(this::start);
        StoreServer leader = awaitLeader();
        StoreClient client = client(peers.toArray(StoreServerConfig.Peer[]::new));
        List<String> all = new ArrayList<>(write(client, "first-", 0, 100));

        String laggardId = running.keySet().stream().filter(id -> !id.equals(id(leader))).findFirst().orElseThrow();
        String otherId = running.keySet().stream().filter(id -> !id.equals(id(leader)) && !id.equals(laggardId))
                .findFirst().orElseThrow();
        StoreServer laggard = running.get(laggardId);
        await().atMost(WAIT).until(() -> laggard.lastAppliedIndex() >= leader.lastAppliedIndex());
        long laggardLastIndex = raftLog(laggard).getLastEntryTermIndex().getIndex();
        stop(laggardId);

        all.addAll(write(client, "second-", 0, 150));
        // An execution with an artifact, written while the laggard is away: the snapshot must carry that family too.
        String withArtifact = executionWithArtifact(client, "with-artifact");
        all.add("with-artifact");
        // Ratis purges only closed log segments, and a segment closes when it is full (8 MB here, far more than
        // this test writes) or when the term changes. A leadership transfer starts a new term, so the segment with
        // everything the laggard lacks is closed on both survivors and the next snapshots let them purge it.
        transferLeadership(otherId);
        StoreServer newLeader = awaitLeader();
        assertThat(id(newLeader)).isEqualTo(otherId);
        all.addAll(write(client, "third-", 0, 200));

        // Why this proves an install: once every live server's log starts after the laggard's last entry + 1, the
        // entries it is missing exist nowhere any more, so replaying the log cannot bring it up to date; only a
        // snapshot from the leader can. (Checked before the restart, so the proof does not depend on timing.)
        await().atMost(WAIT).untilAsserted(() -> {
            for (StoreServer s : running.values()) {
                assertThat(raftLog(s).getStartIndex()).as("log start on %s", id(s))
                        .isGreaterThan(laggardLastIndex + 1);
            }
        });
        long leaderApplied = newLeader.lastAppliedIndex();

        List<StoreEvent> laggardEvents = new CopyOnWriteArrayList<>();
        StoreServer back = StoreServer.create(configs.get(laggardId));
        back.addListener(laggardEvents::add);
        back.start();
        running.put(laggardId, back);

        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(back.lastAppliedIndex()).isGreaterThanOrEqualTo(leaderApplied);
            assertThat(localJobNames(back)).hasSize(all.size()).containsAll(all);
        });
        // Also visible from the laggard itself: it reloaded its store from a snapshot, its own log now begins after
        // the entries it never received, and its store's applied index is Ratis's.
        assertThat(laggardEvents).anySatisfy(e -> assertThat(e).isInstanceOf(StoreEvent.Reloaded.class));
        // Its log holds nothing it did not get from the leader: empty right after the install (-1), or starting
        // after the entries it never received.
        long start = raftLog(back).getStartIndex();
        assertThat(start == -1 || start > laggardLastIndex + 1).as("laggard log start %s", start).isTrue();
        await().atMost(WAIT).until(() -> JobStateMachineRestartTest.storeApplied(back) == back.lastAppliedIndex());

        assertThat(back.stateMachine().answer(new Query.ListArtifacts("with-artifact", withArtifact)).value()
                .toString()).isEqualTo("[{\"path\":\"r/report.bin\",\"size\":3}]");

        // And it keeps following the log afterwards.
        List<String> fourth = write(client, "fourth-", 0, 20);
        await().atMost(WAIT).untilAsserted(() -> assertThat(localJobNames(back)).containsAll(fourth));
        assertThat(localJobNames(back)).isEqualTo(localJobNames(newLeader));

        // Its job index was rebuilt from the installed store and followed the log since: it lists as the leader's.
        for (Query q : List.of(Query.ListJobs.byName(0, -1),
                new Query.ListJobs(new JobFilter(null, "Second-1", null, null), JobSort.NAME, true, 10, 30),
                new Query.ListJobs(new JobFilter(null, null, "", false), JobSort.SCHEDULE, false, 100, 150))) {
            await().atMost(WAIT).untilAsserted(() -> assertThat(back.stateMachine().answer(q).value())
                    .isEqualTo(newLeader.stateMachine().answer(q).value()));
        }
        assertThat(back.stateMachine().answer(Query.ListJobs.byName(0, -1)).value().path("total").asInt())
                .isEqualTo(all.size() + fourth.size());
    }

    @Test
    void aServerStartedLaterIsAddedCatchesUpAndCanBeRemoved() throws Exception {
        configs.keySet().forEach(this::start);
        StoreServer leader = awaitLeader();
        StoreClient client = client(peers.toArray(StoreServerConfig.Peer[]::new));
        List<String> before = write(client, "before-", 0, 60);
        assertThat(client.raftPeers()).extracting(StoreClient.RaftPeerInfo::id).containsExactlyInAnyOrder("n1", "n2", "n3");
        assertThat(client.raftPeers()).filteredOn(StoreClient.RaftPeerInfo::leader).singleElement()
                .extracting(StoreClient.RaftPeerInfo::id).isEqualTo(id(leader));

        // A fourth server starts with no peers: it waits until the leader adds it.
        int port = StoreTestSupport.freePort();
        StoreServerConfig.Peer fourth = new StoreServerConfig.Peer("n4", "127.0.0.1:" + port);
        StoreServerConfig config = StoreServerConfig.singleNode("n4", "127.0.0.1", port, root.resolve("n4"))
                .withPeers(List.of()).withSnapshotEvery(SNAPSHOT_EVERY);
        StoreServer added = StoreServer.start(config);
        running.put("n4", added);
        client.addRaftPeer(fourth);
        assertThat(client.raftPeers()).extracting(StoreClient.RaftPeerInfo::id).contains("n4").hasSize(4);
        List<String> after = write(client, "after-", 0, 20);
        await().atMost(WAIT).untilAsserted(() ->
                assertThat(localJobNames(added)).containsAll(before).containsAll(after));

        assertThat(client.removeRaftPeer("n4")).isTrue();
        assertThat(client.raftPeers()).extracting(StoreClient.RaftPeerInfo::id).containsExactlyInAnyOrder("n1", "n2", "n3");
        assertThat(client.removeRaftPeer("n4")).isFalse();
        assertThat(write(client, "removed-", 0, 5)).hasSize(5);
    }

    // ---- helpers ----------------------------------------------------------------------------------------

    void start(String id) {
        try {
            running.put(id, StoreServer.start(configs.get(id)));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    void stop(String id) throws IOException {
        running.remove(id).close();
    }

    StoreServer awaitLeader() {
        return await().atMost(WAIT).until(
                () -> running.values().stream().filter(StoreServer::isLeaderReady).findFirst().orElse(null),
                s -> s != null);
    }

    static String id(StoreServer s) {
        return s.config().nodeId();
    }

    StoreServerConfig.Peer peer(String id) {
        return peers.stream().filter(p -> p.id().equals(id)).findFirst().orElseThrow();
    }

    StoreClient client(StoreServerConfig.Peer... servers) {
        StoreClient c = new StoreClient(List.of(servers));
        clients.add(c);
        return c;
    }

    void transferLeadership(String to) throws IOException {
        RaftProperties p = new RaftProperties();
        RaftConfigKeys.Rpc.setType(p, SupportedRpcType.GRPC);
        try (RaftClient admin = RaftClient.newBuilder().setProperties(p).setRaftGroup(StoreGroup.of(peers))
                .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(20,
                        TimeDuration.valueOf(250, TimeUnit.MILLISECONDS)))
                .build()) {
            RaftClientReply reply = admin.admin().transferLeadership(RaftPeerId.valueOf(to), WAIT.toMillis());
            assertThat(reply.isSuccess()).as("leadership transfer to %s: %s", to, reply.getException()).isTrue();
        }
    }

    /** A job with one finished execution that left one artifact; the execution's id. */
    static String executionWithArtifact(StoreClient client, String name) throws Exception {
        Instant now = Instant.now();
        assertThat(client.submit(new Command.PutJob(now, job(name, "@manually")), WAIT).ok()).isTrue();
        Reply planned = client.submit(new Command.PlanRuns(now, List.of(new Command.PlannedRun(name, 0, now, null,
                dev.hibachi.store.model.Run.Trigger.MANUAL, List.of(new dev.hibachi.store.model.Target("nx", "ix")),
                null)), List.of()), WAIT);
        long runId = planned.value().path("runs").path(0).path("run_id").asLong();
        Reply reported = client.submit(new Command.ReportAttempts(now, "nx", "ix", List.of(new Command.AttemptReport(
                name, runId, 1, Command.AttemptReport.Phase.FINISHED, now, now, true, 0, "", false,
                List.of(new Command.Artifact("r/report.bin", new byte[]{0, 1, 2}))))), WAIT);
        assertThat(reported.value().path("verdicts").path(0).path("verdict").asText()).isEqualTo("accepted");
        return runId + "-1-nx";
    }

    static RaftLog raftLog(StoreServer s) throws IOException {
        return s.raftServer().getDivision(StoreGroup.ID).getRaftLog();
    }

    static Set<String> localJobNames(StoreServer s) {
        return s.stateMachine().read(v -> v.jobs(null, 10_000)).stream().map(Job::name)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    /** Writes {@code count} jobs, 50 in flight at a time; returns the names whose write was acknowledged ok. */
    static List<String> write(StoreClient client, String prefix, int from, int count) throws Exception {
        List<String> ok = new ArrayList<>();
        for (int start = from; start < from + count; start += 50) {
            Map<String, CompletableFuture<Reply>> inFlight = new LinkedHashMap<>();
            for (int i = start; i < Math.min(start + 50, from + count); i++) {
                String name = prefix + i;
                inFlight.put(name, client.submit(new Command.PutJob(T0, job(name, "@every 10s"))));
            }
            for (var e : inFlight.entrySet()) {
                Reply r = e.getValue().get(WAIT.toSeconds(), TimeUnit.SECONDS);
                assertThat(r.ok()).as("write of %s: %s", e.getKey(), r.error()).isTrue();
                ok.add(e.getKey());
            }
        }
        return ok;
    }
}
