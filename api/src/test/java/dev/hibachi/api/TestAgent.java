package dev.hibachi.api;

import dev.hibachi.agent.Agent;
import dev.hibachi.agent.AgentConfig;
import dev.hibachi.store.StoreTestSupport;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

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
    private Agent agent;

    private TestAgent(Path dataDir, Duration shutdownGrace) {
        this.dataDir = dataDir;
        this.httpPort = freePort();
        this.rpcPort = freePort();
        this.gossipPort = StoreTestSupport.freeGossipPort();
        this.shutdownGrace = shutdownGrace;
    }

    static TestAgent start(Path dataDir) throws Exception {
        return start(dataDir, Duration.ofSeconds(10));
    }

    static TestAgent start(Path dataDir, Duration shutdownGrace) throws Exception {
        TestAgent t = new TestAgent(dataDir, shutdownGrace);
        t.open();
        return t;
    }

    private void open() throws Exception {
        agent = Agent.start(AgentConfig.dev("node-1", dataDir, httpPort, rpcPort, gossipPort).withShutdownGrace(shutdownGrace));
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
