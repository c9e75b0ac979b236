package dev.hibachi.api;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The cluster routes on a real single-server agent: Dkron's members, leader and isleader, and Raft peers. */
class ClusterApiTest {
    @RegisterExtension
    static final AgentPerClass agent = AgentPerClass.server();
    static final Api api = agent.api();

    @Test
    void membersListsTheAgentInDkronsShapeWithHibachisAdditions() {
        Api.Response r = api.get("/v1/members");
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.header("X-Total-Count")).isEqualTo("1");
        List<JsonNode> members = r.list();
        assertThat(members).hasSize(1);
        JsonNode m = members.get(0);
        assertThat(m.path("Name").asText()).isEqualTo("node-1");
        assertThat(m.path("Addr").asText()).isEqualTo("127.0.0.1");
        assertThat(m.path("Port").asInt()).isEqualTo(agent.gossipPort());
        assertThat(m.path("Status").asInt()).isEqualTo(1);
        assertThat(m.path("statusText").asText()).isEqualTo("alive");
        assertThat(m.path("id").asText()).isEqualTo("node-1");
        assertThat(Api.JSON.convertValue(m.path("Tags"), Map.class)).isEqualTo(Map.of(
                "server", "true",
                "rpc_addr", "127.0.0.1:" + agent.rpcPort(),
                "port", String.valueOf(agent.rpcPort())));
        assertThat(List.of(m.path("ProtocolMin").asInt(), m.path("ProtocolMax").asInt(), m.path("ProtocolCur").asInt(),
                m.path("DelegateMin").asInt(), m.path("DelegateMax").asInt(), m.path("DelegateCur").asInt()))
                .containsExactly(1, 5, 2, 2, 5, 4);
        assertThat(m.path("role").asText()).isEqualTo("server");
        assertThat(m.path("raft_role").asText()).isEqualTo("leader");
        assertThat(m.path("http_addr").asText()).isEqualTo("127.0.0.1:" + agent.httpPort());
        assertThat(m.path("incarnation").asText()).isEqualTo(agent.agent().incarnation());
    }

    @Test
    void leaderAnswersTheLeaderAsAMember() {
        Api.Response r = api.get("/v1/leader");
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.json().path("Name").asText()).isEqualTo("node-1");
        assertThat(r.json().path("Status").asInt()).isEqualTo(1);
        assertThat(r.json().path("raft_role").asText()).isEqualTo("leader");
        assertThat(r.json().path("Tags").path("server").asText()).isEqualTo("true");
    }

    @Test
    void isLeaderAnswers200WithDkronsStringOnTheLeader() {
        Api.Response r = api.get("/v1/isleader");
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.json().asText()).isEqualTo("I am a leader");
        assertThat(r.header("Content-Type")).startsWith("application/json");
    }

    @Test
    void raftPeersListsTheGroupWithItsLeader() {
        Api.Response r = api.get("/v1/raft/peers");
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.header("X-Total-Count")).isEqualTo("1");
        assertThat(r.list()).hasSize(1);
        JsonNode p = r.list().get(0);
        assertThat(p.path("id").asText()).isEqualTo("node-1");
        assertThat(p.path("address").asText()).isEqualTo("127.0.0.1:" + agent.rpcPort());
        assertThat(p.path("leader").asBoolean()).isTrue();
        assertThat(p.path("voter").asBoolean()).isTrue();
    }

    @Test
    void removingAnIdThatIsNotAPeerIs404NamingThePeers() {
        Api.Response r = api.delete("/v1/raft/peers/ghost");
        assertThat(r.status()).as(r.toString()).isEqualTo(404);
        assertThat(r.json().path("error").asText()).contains("\"ghost\"").contains("node-1");
        assertThat(api.get("/v1/raft/peers").list()).hasSize(1);
    }

    @Test
    void removingTheOnlyPeerIsRefusedWith409() {
        Api.Response r = api.delete("/v1/raft/peers/node-1");
        assertThat(r.status()).as(r.toString()).isEqualTo(409);
        assertThat(r.json().path("error").asText()).contains("only Raft peer");
        assertThat(api.get("/v1/raft/peers").list()).extracting(p -> p.path("id").asText()).containsExactly("node-1");
    }
}
