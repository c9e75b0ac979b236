package dev.hibachi.api;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** {@code POST /v1/leave} answers first, then the agent stops; a lone server keeps its store to restart on. */
class LeaveApiTest {
    @TempDir
    Path dataDir;
    TestAgent agent;

    @AfterEach
    void stop() {
        if (agent != null) {
            agent.close();
        }
    }

    @Test
    void leaveAnswersTheMembersThenTheAgentStops() throws Exception {
        agent = TestAgent.start(dataDir);
        await().atMost(Duration.ofSeconds(10)).until(() -> agent.agent().isLeader());
        agent.api().putJob("""
                {"name":"kept","schedule":"@manually","executor":"shell","executor_config":{"command":"true"}}""");
        CompletableFuture<Void> stopped = new CompletableFuture<>();
        agent.agent().onClosed(() -> stopped.complete(null));

        Api.Response r = agent.api().post("/v1/leave", "");
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.header("X-Total-Count")).isEqualTo("1");
        assertThat(r.list()).hasSize(1);
        assertThat(r.list().get(0).path("Name").asText()).isEqualTo("node-1");
        assertThat(r.list().get(0).path("statusText").asText()).isEqualTo("leaving");

        stopped.get(30, TimeUnit.SECONDS);
        assertThatThrownBy(() -> agent.api().get("/health")).as("the HTTP server is closed")
                .isInstanceOf(UncheckedIOException.class);

        // A lone server cannot leave its own group (it would take the store with it): it keeps it.
        agent.restart();
        await().atMost(Duration.ofSeconds(10)).until(() -> agent.agent().isLeader());
        assertThat(agent.api().get("/v1/jobs/kept").status()).isEqualTo(200);
        assertThat(agent.api().get("/v1/raft/peers").list()).extracting(p -> p.path("id").asText())
                .containsExactly("node-1");
    }
}
