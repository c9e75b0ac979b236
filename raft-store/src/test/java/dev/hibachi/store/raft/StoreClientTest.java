package dev.hibachi.store.raft;

import static dev.hibachi.store.StoreTestSupport.job;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.hibachi.store.command.Command;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client outlives an outage: once its retries ran out, it works again when the store is back. */
class StoreClientTest {

    static final Instant T0 = Instant.parse("2024-03-01T12:00:00Z");
    static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dataDir;

    @Test
    void worksAgainAfterItsRetriesRanOutWhileTheStoreWasDown() throws Exception {
        int port = freePort();
        StoreServerConfig config = StoreServerConfig.singleNode("n1", "127.0.0.1", port, dataDir);
        try (StoreClient client = new StoreClient(config.initialPeers(), 4, Duration.ofMillis(100))) {
            assertThatThrownBy(() -> client.submit(new Command.PutJob(T0, job("early", "@every 10s")), WAIT))
                    .isInstanceOf(StoreUnavailableException.class);
            assertThatThrownBy(() -> client.submit(new Command.PutJob(T0, job("early", "@every 10s")), WAIT))
                    .isInstanceOf(StoreUnavailableException.class);

            try (StoreServer server = StoreServer.create(config)) {
                server.start();
                await().atMost(WAIT).until(server::isLeaderReady);
                await().atMost(WAIT).ignoreExceptions().until(() ->
                        client.submit(new Command.PutJob(T0, job("later", "@every 10s")), WAIT).ok());
                assertThat(client.submit(new Command.PutJob(T0, job("again", "@every 10s")), WAIT).ok()).isTrue();
            }
        }
    }

    @Test
    void raftPeersAnswersAgainOnceAServerIsBackAfterCallsFailedWhileNoneWasUp() throws Exception {
        int port = freePort();
        StoreServerConfig config = StoreServerConfig.singleNode("n1", "127.0.0.1", port, dataDir);
        try (StoreClient client = new StoreClient(config.initialPeers(), 4, Duration.ofMillis(100))) {
            for (int i = 0; i < 3; i++) {
                assertThatThrownBy(client::raftPeers).isInstanceOf(StoreUnavailableException.class);
            }
            try (StoreServer server = StoreServer.create(config)) {
                server.start();
                await().atMost(WAIT).until(server::isLeaderReady);
                await().atMost(WAIT).ignoreExceptions().until(() -> client.raftPeers().stream()
                        .anyMatch(p -> p.id().equals("n1") && p.leader()));
            }
        }
    }

    /**
     * A client agent's store client is made from the servers it knew when it started; when those are gone it must
     * still find the leader among the servers it follows now (seen in CI: a client agent whose only known server was
     * killed answered "no leader is known" while another server led).
     */
    @Test
    void raftPeersAsksTheServersItFollowsNotOnlyThoseItWasMadeWith() throws Exception {
        StoreServerConfig config = StoreServerConfig.singleNode("n1", "127.0.0.1", freePort(), dataDir);
        StoreServerConfig.Peer gone = new StoreServerConfig.Peer("gone", "127.0.0.1:" + freePort());
        try (StoreServer server = StoreServer.create(config);
             StoreClient client = new StoreClient(List.of(gone), 4, Duration.ofMillis(100))) {
            server.start();
            await().atMost(WAIT).until(server::isLeaderReady);
            assertThatThrownBy(client::raftPeers).as("only the gone server is known").isInstanceOf(
                    StoreUnavailableException.class);

            client.followServers(config::initialPeers);
            assertThat(client.raftPeers()).singleElement().satisfies(p -> {
                assertThat(p.id()).isEqualTo("n1");
                assertThat(p.leader()).isTrue();
            });
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
