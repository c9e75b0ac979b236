package dev.hibachi.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hibachi.agent.dispatch.DispatchObserver;
import dev.hibachi.store.StoreTestSupport;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Dkron's --retry-join with --retry-max: an agent that reaches nobody gives up and stops. */
class RetryJoinTest {

    @TempDir
    Path tmp;

    @Test
    void aClientThatReachesNobodyStopsAfterRetryMaxAttempts() {
        AgentConfig config = AgentConfig.dev("lonely", tmp, StoreTestSupport.freePort(), StoreTestSupport.freePort(),
                        StoreTestSupport.freeGossipPort()).toBuilder()
                .server(false)
                .bootstrapExpect(0)
                .retryJoin(List.of("127.0.0.1:" + StoreTestSupport.freeGossipPort()))
                .retryInterval(Duration.ofMillis(200))
                .retryMax(3)
                .build();
        long started = System.nanoTime();
        assertThatThrownBy(() -> Agent.start(config, Clock.systemUTC(), DispatchObserver.NONE, false))
                .hasMessageContaining("stopped while waiting to see a server");
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(600)).isLessThan(Duration.ofSeconds(15));
    }
}
