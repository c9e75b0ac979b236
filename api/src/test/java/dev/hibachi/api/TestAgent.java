package dev.hibachi.api;

import dev.hibachi.agent.Agent;
import dev.hibachi.agent.AgentConfig;
import dev.hibachi.store.StoreTestSupport;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * A real single-node agent for the API's tests (real Ratis, RocksDB, processes and HTTP), on free loopback
 * ports. {@link #restart()} closes it gracefully and starts a new agent on the same data dir and ports, as an
 * operator's restart does.
 */
final class TestAgent implements AutoCloseable {
    private final Path dataDir;
    private final int httpPort;
    private final int rpcPort;
    private final int gossipPort;
    private final Duration shutdownGrace;
    private final UnaryOperator<AgentConfig> customize;
    private Agent agent;

    private TestAgent(Path dataDir, Duration shutdownGrace, UnaryOperator<AgentConfig> customize) {
        this.dataDir = dataDir;
        this.httpPort = freePort();
        this.rpcPort = freePort();
        this.gossipPort = StoreTestSupport.freeGossipPort();
        this.shutdownGrace = shutdownGrace;
        this.customize = customize;
    }

    static TestAgent start(Path dataDir) throws Exception {
        return start(dataDir, Duration.ofSeconds(10));
    }

    static TestAgent start(Path dataDir, Duration shutdownGrace) throws Exception {
        TestAgent t = new TestAgent(dataDir, shutdownGrace, c -> c);
        t.open();
        return t;
    }

    /** A single-node agent whose configuration {@code customize} adjusts (a shorter kill grace, say). */
    static TestAgent start(Path dataDir, UnaryOperator<AgentConfig> customize) throws Exception {
        TestAgent t = new TestAgent(dataDir, Duration.ofSeconds(10), customize);
        t.open();
        return t;
    }

    /** A client agent (no store) named {@code name}, with {@code tags}, that joins {@code server}'s cluster. */
    static TestAgent client(Path dataDir, String name, Map<String, String> tags, TestAgent server) throws Exception {
        return client(dataDir, name, tags, server, c -> c);
    }

    /** {@link #client(Path, String, Map, TestAgent)}, its configuration then adjusted by {@code customize}. */
    static TestAgent client(Path dataDir, String name, Map<String, String> tags, TestAgent server,
                            UnaryOperator<AgentConfig> customize) throws Exception {
        TestAgent t = new TestAgent(dataDir, Duration.ofSeconds(10), c -> customize.apply(c.toBuilder().nodeName(name)
                .server(false).bootstrapExpect(0).tags(tags).join(List.of("127.0.0.1:" + server.gossipPort)).build()));
        t.open();
        return t;
    }

    /** A server named {@code name} that joins {@code first}'s cluster, and is added to its Raft group by its leader. */
    static TestAgent server(Path dataDir, String name, TestAgent first) throws Exception {
        TestAgent t = new TestAgent(dataDir, Duration.ofSeconds(10), c -> c.toBuilder().nodeName(name)
                .bootstrapExpect(0).join(List.of("127.0.0.1:" + first.gossipPort)).build());
        t.open();
        return t;
    }

    private void open() throws Exception {
        agent = Agent.start(customize.apply(AgentConfig.dev("node-1", dataDir, httpPort, rpcPort, gossipPort)
                .withShutdownGrace(shutdownGrace)));
    }

    /** Closes the agent (graceful, as SIGTERM) and starts a new one on the same data dir and ports. */
    TestAgent restart() throws Exception {
        close();
        open();
        return this;
    }

    Agent agent() {
        return agent;
    }

    int httpPort() {
        return httpPort;
    }

    int rpcPort() {
        return rpcPort;
    }

    int gossipPort() {
        return gossipPort;
    }

    URI base() {
        return URI.create("http://127.0.0.1:" + httpPort);
    }

    Api api() {
        return new Api(base());
    }

    @Override
    public void close() {
        Agent a = agent;
        agent = null;
        if (a != null) {
            a.close();
        }
    }

    static int freePort() {
        return StoreTestSupport.freePort();
    }
}
