package dev.hibachi.store.raft;

import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;

import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.List;
import java.util.UUID;

/** The one Raft group that holds the job store: a fixed id, so every server and client names the same group. */
public final class StoreGroup {
    public static final RaftGroupId ID =
            RaftGroupId.valueOf(UUID.nameUUIDFromBytes("hibachi-job-store".getBytes(StandardCharsets.UTF_8)));

    private StoreGroup() {
    }

    public static RaftGroup of(Collection<StoreServerConfig.Peer> peers) {
        List<RaftPeer> raftPeers = peers.stream().map(StoreGroup::peer).toList();
        return RaftGroup.valueOf(ID, raftPeers);
    }

    public static RaftPeer peer(StoreServerConfig.Peer p) {
        return RaftPeer.newBuilder().setId(p.id()).setAddress(p.address()).build();
    }
}
