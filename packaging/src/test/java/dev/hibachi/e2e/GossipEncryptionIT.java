package dev.hibachi.e2e;

import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code --encrypt} across agent processes of the distribution, with a key from its own {@code hibachi keygen}
 * given as {@code HIBACHI_ENCRYPT}: a server and a client that share it form a cluster and a job tagged for the
 * client runs there; an agent with another key, told to join the same server, stays alone.
 */
@Order(1) // with SingleServerIT, before the shared five-agent cluster starts: three JVMs at a time, not eight
class GossipEncryptionIT {
    private static final String KEY = Distribution.keygen();

    @RegisterExtension
    static final ClusterExtension SEALED = ClusterExtension.perClass(Topology.sealedServerAndClient(KEY));

    @Test
    void aJobTaggedForTheClientRunsThereOverEncryptedGossip() {
        LocalCluster cluster = SEALED.cluster();
        for (AgentProcess asked : cluster.agents()) {
            assertThat(LocalCluster.membersByName(asked).keySet()).as("/v1/members on %s", asked.name())
                    .containsExactlyInAnyOrder("sealed-s1", "sealed-c1");
            assertThat(asked.logTail(400)).contains("with gossip encrypted by the --encrypt key").doesNotContain(KEY);
        }
        HibachiApi api = cluster.api();
        api.putJob(JobJson.shell("sealed-hello", "@every 1s", "echo over sealed gossip", Map.of("role", "sealed")));
        try {
            await().atMost(Duration.ofSeconds(30)).until(() ->
                    api.executions("sealed-hello").stream().anyMatch(Execution::finished));
            assertThat(api.executions("sealed-hello")).filteredOn(Execution::finished).allSatisfy(e -> {
                assertThat(e.node()).isEqualTo("sealed-c1");
                assertThat(e.success()).as("%s", e).isTrue();
                assertThat(e.output()).contains("over sealed gossip");
            });
        } finally {
            cluster.deleteJobsQuietly(List.of("sealed-hello"));
        }
    }

    /**
     * The stranger is a server of its own (a client would wait for a server forever before it is healthy). A merge
     * of two clusters that can hear each other takes ~8 s: past that, both must still be apart.
     */
    @Test
    void anAgentWithAnotherKeyStaysOutside() {
        LocalCluster cluster = SEALED.cluster();
        AgentProcess server = cluster.agent("sealed-s1");
        AgentSpec spec = new AgentSpec("stranger", true, 1, Map.of(), List.of(server.spec().gossipAddress()),
                FreePorts.gossipPort(), FreePorts.port(), FreePorts.port(),
                cluster.dir().resolve("data").resolve("stranger"), cluster.dir().resolve("logs").resolve("stranger.log"),
                Optional.of(Distribution.keygen()));
        AgentProcess stranger = new AgentProcess(spec, AgentProcess.DEFAULT_JAVA_OPTS);
        stranger.start();
        try {
            stranger.awaitHealthy(LocalCluster.START_TIMEOUT);
            await().during(Duration.ofSeconds(10)).atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(500))
                    .until(() -> LocalCluster.membersByName(stranger).keySet().equals(Set.of("stranger"))
                            && LocalCluster.membersByName(server).keySet().equals(Set.of("sealed-s1", "sealed-c1")));
        } finally {
            stranger.kill();
        }
    }
}
