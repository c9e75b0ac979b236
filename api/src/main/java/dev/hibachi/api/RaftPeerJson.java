package dev.hibachi.api;

import dev.hibachi.store.raft.StoreClient;

/**
 * A peer of the store's Raft group, as Hibachi's {@code /v1/raft/peers} shows it (Dkron's
 * {@code raft list-peers} fields). The id is the server's node name. Only voters are in the group, so
 * {@code voter} is always true; it is there for clients that read Dkron's shape.
 */
record RaftPeerJson(String id, String address, boolean leader, boolean voter) {

    static RaftPeerJson of(StoreClient.RaftPeerInfo peer) {
        return new RaftPeerJson(peer.id(), peer.address(), peer.leader(), true);
    }
}
