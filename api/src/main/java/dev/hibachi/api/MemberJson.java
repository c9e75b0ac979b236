package dev.hibachi.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.hibachi.agent.cluster.Member;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A member as Dkron's {@code /v1/members} and {@code /v1/leader} show it: Serf's member with Go's field names,
 * plus Dkron's {@code id} and {@code statusText}; then Hibachi's additions, in lower case.
 *
 * <p>{@code Tags} are the member's own tags plus the reserved ones of Dkron's that are true of it:
 * {@code server=true} for servers, and their Raft address as {@code rpc_addr} and {@code port}. Dkron's
 * {@code role=dkron} is left out, because Hibachi users tag their agents {@code role=web} and jobs select on it;
 * a tag the agent was given wins over a reserved one, because it is what jobs match. {@code id} is the node
 * name (unique in the cluster), where Dkron puts a new random UUID on every request.
 */
record MemberJson(
        @JsonProperty("Name") String name,
        @JsonProperty("Addr") String addr,
        @JsonProperty("Port") int port,
        @JsonProperty("Tags") Map<String, String> tags,
        @JsonProperty("Status") int status,
        @JsonProperty("ProtocolMin") int protocolMin,
        @JsonProperty("ProtocolMax") int protocolMax,
        @JsonProperty("ProtocolCur") int protocolCur,
        @JsonProperty("DelegateMin") int delegateMin,
        @JsonProperty("DelegateMax") int delegateMax,
        @JsonProperty("DelegateCur") int delegateCur,
        @JsonProperty("id") String id,
        @JsonProperty("statusText") String statusText,
        @JsonProperty("role") String role,
        @JsonProperty("raft_role") String raftRole,
        @JsonProperty("http_addr") String httpAddr,
        @JsonProperty("incarnation") String incarnation) {

    // Hibachi speaks no Serf protocol; these are the versions a current Serf (memberlist 1..5 at 2, Serf's own
    // 2..5 at 4) reports, so a client that checks them sees nothing unusual.
    static final int PROTOCOL_MIN = 1;
    static final int PROTOCOL_MAX = 5;
    static final int PROTOCOL_CUR = 2;
    static final int DELEGATE_MIN = 2;
    static final int DELEGATE_MAX = 5;
    static final int DELEGATE_CUR = 4;

    /** {@code leader}: the node name of the store's Raft leader, if one is known. */
    static MemberJson of(Member m, Optional<String> leader) {
        return new MemberJson(m.name(), m.gossipHost(), m.gossipPort(), m.dkronTags(), m.status().serfCode(),
                PROTOCOL_MIN, PROTOCOL_MAX, PROTOCOL_CUR, DELEGATE_MIN, DELEGATE_MAX, DELEGATE_CUR,
                m.name(), m.status().name().toLowerCase(Locale.ROOT),
                m.server() ? "server" : "client", raftRole(m, leader), m.httpAddress(), m.incarnation());
    }

    /** A client, or a server that failed or left, takes no part in Raft now: {@code none}. */
    private static String raftRole(Member m, Optional<String> leader) {
        if (!m.server() || m.gone()) {
            return "none";
        }
        return leader.filter(m.name()::equals).isPresent() ? "leader" : "follower";
    }
}
