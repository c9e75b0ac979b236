package dev.hibachi.api;

import dev.hibachi.agent.Agent;
import dev.hibachi.store.raft.StoreClient;
import dev.hibachi.store.raft.StoreUnavailableException;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Hibachi's additions for the store's Raft group, what Dkron offers only through its gRPC CLI
 * ({@code dkron raft list-peers}, {@code dkron raft remove-peer}). An unreachable store answers 503.
 */
@Controller("/v1/raft/peers")
public final class RaftController {
    private final Agent agent;

    public RaftController(Agent agent) {
        this.agent = agent;
    }

    @Addition
    @Get
    public HttpResponse<byte[]> peers() throws StoreUnavailableException {
        List<RaftPeerJson> peers = agent.raftPeers().stream().map(RaftPeerJson::of)
                .sorted(Comparator.comparing(RaftPeerJson::id)).toList();
        return Responses.json(HttpStatus.OK, peers).header("X-Total-Count", String.valueOf(peers.size()));
    }

    /**
     * Removes a server from the Raft group, typically a dead one that will not come back, so the quorum no
     * longer counts it. Answers the peer as it was. The last peer is refused: the store would have no server.
     */
    @Addition
    @Delete("/{id}")
    public HttpResponse<byte[]> remove(@PathVariable String id) throws StoreUnavailableException {
        List<StoreClient.RaftPeerInfo> peers = agent.raftPeers();
        Optional<StoreClient.RaftPeerInfo> peer = peers.stream().filter(p -> p.id().equals(id)).findFirst();
        if (peer.isEmpty()) {
            return notAPeer(id, peers);
        }
        if (peers.size() == 1) {
            return Responses.error(409, "\"" + id + "\" is the only Raft peer; removing it would leave the store"
                    + " without a server", null);
        }
        if (!agent.removeRaftPeer(id)) {
            return notAPeer(id, agent.raftPeers()); // removed meanwhile by someone else
        }
        return Responses.json(HttpStatus.OK, RaftPeerJson.of(peer.get()));
    }

    private static HttpResponse<byte[]> notAPeer(String id, List<StoreClient.RaftPeerInfo> peers) {
        return Responses.error(404, "no Raft peer has the id \"" + id + "\"; the peers are "
                + peers.stream().map(StoreClient.RaftPeerInfo::id).collect(Collectors.joining(", ")), null);
    }
}
