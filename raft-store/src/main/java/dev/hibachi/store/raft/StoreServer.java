package dev.hibachi.store.raft;

import dev.hibachi.store.event.StoreListener;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.rpc.SupportedRpcType;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * One server of the job store: a Ratis server on gRPC (one port for peers, clients and admin) with the
 * {@link JobStateMachine}. Raft's log and snapshots live under {@code <data>/raft}, the live database under
 * {@code <data>/store}.
 */
public final class StoreServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StoreServer.class);

    private final StoreServerConfig config;
    private final JobStateMachine stateMachine;
    private final RaftProperties properties;
    private final RaftServer server;

    private StoreServer(StoreServerConfig config) throws IOException {
        this.config = config;
        this.stateMachine = new JobStateMachine(config.dataDir().resolve("store"));
        this.properties = properties(config);
        boolean fresh = !hasState(config);
        RaftGroup group = config.initialPeers().isEmpty() ? RaftGroup.valueOf(StoreGroup.ID)
                : StoreGroup.of(config.initialPeers());
        this.server = RaftServer.newBuilder()
                .setServerId(RaftPeerId.valueOf(config.nodeId()))
                .setGroup(group)
                .setProperties(properties)
                .setStateMachine(stateMachine)
                .setOption(fresh ? RaftStorage.StartupOption.FORMAT : RaftStorage.StartupOption.RECOVER)
                .build();
    }

    /** Whether this server has Raft state on disk already: then it recovers, and its peers come from there. */
    public static boolean hasState(StoreServerConfig config) {
        return Files.isDirectory(config.dataDir().resolve("raft").resolve(StoreGroup.ID.getUuid().toString()));
    }

    /** Builds a server without starting it, so listeners can be attached before the log is replayed. */
    public static StoreServer create(StoreServerConfig config) throws IOException {
        Files.createDirectories(config.dataDir());
        return new StoreServer(config);
    }

    /** Builds and starts the server; it joins or forms its group in the background. */
    public static StoreServer start(StoreServerConfig config) throws IOException {
        StoreServer s = create(config);
        s.start();
        return s;
    }

    /** Loads the store, replays the log after it, and starts serving. */
    public void start() throws IOException {
        server.start();
        LOG.info("Store server {} listening on {}:{}", config.nodeId(), config.host(), config.port());
    }

    public void addLeadershipListener(LeadershipListener listener) {
        stateMachine.addLeadershipListener(listener);
    }

    static RaftProperties properties(StoreServerConfig config) {
        RaftProperties p = new RaftProperties();
        RaftConfigKeys.Rpc.setType(p, SupportedRpcType.GRPC);
        GrpcConfigKeys.Server.setPort(p, config.port());
        GrpcConfigKeys.Server.setHost(p, config.host());
        RaftServerConfigKeys.setStorageDir(p, List.of(config.dataDir().resolve("raft").toFile()));
        RaftServerConfigKeys.Rpc.setTimeoutMin(p, TimeDuration.valueOf(config.electionTimeoutMin().toMillis(),
                TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Rpc.setTimeoutMax(p, TimeDuration.valueOf(config.electionTimeoutMax().toMillis(),
                TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Read.setOption(p, RaftServerConfigKeys.Read.Option.LINEARIZABLE);
        RaftServerConfigKeys.Read.setLeaderLeaseEnabled(p, true);
        RaftServerConfigKeys.Log.setSegmentSizeMax(p, SizeInBytes.valueOf("8MB"));
        // Ratis would append a metadata entry at every commit-index advance, doubling the log's entries; the
        // store records its own applied index, so a restart does not need them.
        RaftServerConfigKeys.Log.setLogMetadataEnabled(p, false);
        RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(p, true);
        RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(p, config.snapshotEveryEntries());
        RaftServerConfigKeys.Snapshot.setCreationGap(p, Math.min(1024, config.snapshotEveryEntries()));
        RaftServerConfigKeys.Snapshot.setRetentionFileNum(p, 2);
        RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(p, true);
        RaftServerConfigKeys.Log.setPurgeGap(p, (int) Math.min(1024, config.snapshotEveryEntries()));
        return p;
    }

    public JobStateMachine stateMachine() {
        return stateMachine;
    }

    public StoreServerConfig config() {
        return config;
    }

    public RaftServer raftServer() {
        return server;
    }

    public void addListener(StoreListener listener) {
        stateMachine.addListener(listener);
    }

    public boolean isLeader() {
        return division().map(d -> d.getInfo().isLeader()).orElse(false);
    }

    public boolean isLeaderReady() {
        return division().map(d -> d.getInfo().isLeader() && d.getInfo().isLeaderReady()).orElse(false);
    }

    public Optional<String> leaderId() {
        return division().map(d -> d.getInfo().getLeaderId()).map(RaftPeerId::toString);
    }

    public long currentTerm() {
        return division().map(d -> d.getInfo().getCurrentTerm()).orElse(0L);
    }

    public long lastAppliedIndex() {
        return division().map(d -> d.getInfo().getLastAppliedIndex()).orElse(0L);
    }

    /** Takes a snapshot now (a checkpoint), returning its index. */
    public long snapshotNow() throws IOException {
        return stateMachine.takeSnapshot();
    }

    File raftDir() {
        return config.dataDir().resolve("raft").toFile();
    }

    private Optional<RaftServer.Division> division() {
        try {
            return Optional.of(server.getDivision(StoreGroup.ID));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
