package dev.hibachi.api;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The cluster routes on a cluster of two real agents, a server and a tagged client (no store): both see both,
 * the client answers as a follower, and a client that leaves shows as left on the server.
 */
class ClientAgentApiTest {
    @RegisterExtension @Order(1) // JUnit orders these by @Order, not as written: a client joins a running server
    static final AgentPerClass server = AgentPerClass.server();
    @RegisterExtension @Order(2) // and so it closes before the server
    static final AgentPerClass client = AgentPerClass.client("web-1", Map.of("role", "web"), server);

    @Test
    void theClientListsBothMembersWithTheirRoles() {
        Api.Response r = client.api().get("/v1/members");
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.list()).extracting(m -> m.path("Name").asText()).containsExactly("node-1", "web-1");
        JsonNode web = r.list().get(1);
        assertThat(web.path("role").asText()).isEqualTo("client");
        assertThat(web.path("raft_role").asText()).isEqualTo("none");
        assertThat(web.path("Port").asInt()).isEqualTo(client.gossipPort());
        assertThat(web.path("http_addr").asText()).isEqualTo("127.0.0.1:" + client.httpPort());
        assertThat(Api.JSON.convertValue(web.path("Tags"), Map.class)).as("a client has no Raft address")
                .isEqualTo(Map.of("role", "web"));
        JsonNode s = r.list().get(0);
        assertThat(s.path("role").asText()).isEqualTo("server");
        assertThat(s.path("raft_role").asText()).isEqualTo("leader");
        assertThat(s.path("Tags").path("rpc_addr").asText()).isEqualTo("127.0.0.1:" + server.rpcPort());
    }

    @Test
    void theClientIsNotTheLeaderAndNamesTheServerAsLeader() {
        Api.Response isLeader = client.api().get("/v1/isleader");
        assertThat(isLeader.status()).as(isLeader.toString()).isEqualTo(404);
        assertThat(isLeader.json().asText()).isEqualTo("I am a follower");

        Api.Response leader = client.api().get("/v1/leader");
        assertThat(leader.status()).as(leader.toString()).isEqualTo(200);
        assertThat(leader.json().path("Name").asText()).isEqualTo("node-1");

        Api.Response peers = client.api().get("/v1/raft/peers");
        assertThat(peers.status()).as(peers.toString()).isEqualTo(200);
        assertThat(peers.list()).extracting(p -> p.path("id").asText()).containsExactly("node-1");
    }

    @Test
    void aClientThatLeavesStopsAndTheServerListsItAsLeft(@TempDir Path dir) throws Exception {
        TestAgent leaver = TestAgent.client(dir, "batch-1", Map.of("role", "batch"), server.testAgent());
        try {
            CompletableFuture<Void> stopped = new CompletableFuture<>();
            leaver.agent().onClosed(() -> stopped.complete(null));

            Api.Response r = leaver.api().post("/v1/leave", "");
            assertThat(r.status()).as(r.toString()).isEqualTo(200);
            JsonNode self = r.list().stream().filter(m -> m.path("Name").asText().equals("batch-1")).findFirst()
                    .orElseThrow();
            assertThat(self.path("statusText").asText()).isEqualTo("leaving");
            assertThat(self.path("Status").asInt()).isEqualTo(2);

            stopped.get(30, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                List<JsonNode> members = server.api().get("/v1/members").list();
                JsonNode gone = members.stream().filter(m -> m.path("Name").asText().equals("batch-1")).findFirst()
                        .orElseThrow();
                assertThat(gone.path("statusText").asText()).isEqualTo("left");
                assertThat(gone.path("Status").asInt()).isEqualTo(3);
            });
        } finally {
            leaver.close();
        }
    }

    @Test
    void pauseIsClusterWideAndAClientReadsItsOwnWriteByIndex() {
        try {
            assertThat(server.api().post("/v1/pause", "").status()).isEqualTo(200);
            assertThat(client.api().get("/v1/pause").json().path("paused").asBoolean()).isTrue();
            Api.Response refused = client.api().post("/v1/jobs", """
                    {"name":"paused-on-client","schedule":"@every 1h","executor":"shell",
                     "executor_config":{"command":"true"}}""");
            assertThat(refused.status()).as(refused.toString()).isEqualTo(503);
            assertThat(refused.json().path("error").asText()).contains("paused");
        } finally {
            assertThat(client.api().post("/v1/unpause", "").json().path("paused").asBoolean()).isFalse();
        }
        Api.Response written = client.api().post("/v1/jobs", """
                {"name":"read-own-write","schedule":"@every 1h","executor":"shell","executor_config":{"command":"true"}}""");
        assertThat(written.status()).as(written.toString()).isEqualTo(201);
        Api.Response read = client.api().get("/v1/jobs/read-own-write?index=" + written.header("X-Hibachi-Index"));
        assertThat(read.status()).as(read.toString()).isEqualTo(200);
        assertThat(read.json().path("name").asText()).isEqualTo("read-own-write");
        assertThat(client.api().get("/v1/jobs/read-own-write?stale").status()).isEqualTo(200);
    }
}
