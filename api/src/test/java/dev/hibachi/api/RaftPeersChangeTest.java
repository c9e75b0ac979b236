package dev.hibachi.api;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * On three real servers: {@code hibachi raft remove-peer} removes a stopped server from the Raft group, and a
 * server that is asked to leave removes itself before it stops.
 */
class RaftPeersChangeTest {
    @TempDir
    Path dir1;
    @TempDir
    Path dir2;
    @TempDir
    Path dir3;
    TestAgent s1;
    TestAgent s2;
    TestAgent s3;

    @AfterEach
    void stop() {
        for (TestAgent a : new TestAgent[]{s3, s2, s1}) {
            if (a != null) {
                a.close();
            }
        }
    }

    @Test
    void aStoppedServerIsRemovedAndALeavingServerRemovesItself() throws Exception {
        s1 = TestAgent.start(dir1);
        await().atMost(Duration.ofSeconds(10)).until(() -> s1.agent().isLeader());
        s2 = TestAgent.server(dir2, "node-2", s1);
        s3 = TestAgent.server(dir3, "node-3", s1);
        Api api = s1.api();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(peerIds(api))
                .containsExactly("node-1", "node-2", "node-3"));

        s3.close(); // stopped, as a dead server: it stays a voter until removed
        CliTest.Run removed = CliTest.hibachi("raft", "remove-peer", "--peer-id", "node-3",
                "--address", s2.base().toString());
        assertThat(removed.exit()).as(removed.toString()).isZero();
        assertThat(removed.out().strip()).isEqualTo("Removed peer node-3 (127.0.0.1:" + s3.rpcPort()
                + ") from the Raft group.");
        assertThat(peerIds(api)).containsExactly("node-1", "node-2");

        CompletableFuture<Void> stopped = new CompletableFuture<>();
        s2.agent().onClosed(() -> stopped.complete(null));
        assertThat(s2.api().post("/v1/leave", "").status()).isEqualTo(200);
        stopped.get(30, TimeUnit.SECONDS);
        assertThat(peerIds(api)).containsExactly("node-1");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonNode node2 = api.get("/v1/members").list().stream()
                    .filter(m -> m.path("Name").asText().equals("node-2")).findFirst().orElseThrow();
            assertThat(node2.path("statusText").asText()).isEqualTo("left");
            assertThat(node2.path("raft_role").asText()).as("a server that left takes no part in Raft")
                    .isEqualTo("none");
        });
        assertThat(api.get("/v1/isleader").status()).as("the last server still leads").isEqualTo(200);
    }

    private static List<String> peerIds(Api api) {
        Api.Response r = api.get("/v1/raft/peers");
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.list().stream().map(p -> p.path("id").asText()).toList();
    }
}
