package dev.hibachi.store.raft;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * How one server of the job store runs: its id and Raft address, where its data lives, and the peers the
 * group starts with (empty for a server that waits to be added by the leader).
 */
public record StoreServerConfig(
        String nodeId,
        String host,
        int port,
        Path dataDir,
        List<Peer> initialPeers,
        Duration electionTimeoutMin,
        Duration electionTimeoutMax,
        long snapshotEveryEntries) {

    public record Peer(String id, String address) {
    }

    public static StoreServerConfig singleNode(String nodeId, String host, int port, Path dataDir) {
        return new StoreServerConfig(nodeId, host, port, dataDir, List.of(new Peer(nodeId, host + ":" + port)),
                Duration.ofMillis(300), Duration.ofMillis(600), 20_000);
    }

    public StoreServerConfig withPeers(List<Peer> peers) {
        return new StoreServerConfig(nodeId, host, port, dataDir, peers, electionTimeoutMin, electionTimeoutMax,
                snapshotEveryEntries);
    }

    public StoreServerConfig withSnapshotEvery(long entries) {
        return new StoreServerConfig(nodeId, host, port, dataDir, initialPeers, electionTimeoutMin,
                electionTimeoutMax, entries);
    }
}
