package dev.hibachi.api;

import dev.hibachi.agent.Agent;
import dev.hibachi.agent.AgentConfig;
import dev.hibachi.store.StoreTestSupport;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.UnaryOperator;

import static org.awaitility.Awaitility.await;

/**
 * A {@link TestAgent} for one test class: started before the class's first test, in a temporary data directory
 * of its own, and closed after its last, the directory then deleted. A server leads (and a client is an alive
 * member of its server's cluster) before any {@code @BeforeAll} method or test of the class runs.
 *
 * <pre>
 * &#64;RegisterExtension
 * static final AgentPerClass agent = AgentPerClass.server();
 * static final Api api = agent.api();
 * </pre>
 *
 * A class with a server and its client gives the server's field the lower {@code @Order}: JUnit orders extension
 * fields by {@code @Order}, not by declaration, and closes them in reverse, so the client closes first.
 */
final class AgentPerClass implements BeforeAllCallback, AfterAllCallback {
    /** How long a server may take to lead, and a client to be seen alive by its server. */
    private static final Duration READY = Duration.ofSeconds(10);

    private interface Start {
        TestAgent start(Path dataDir) throws Exception;
    }

    private final String name;
    private final Start start;
    private final AgentPerClass server;
    private Path dataDir;
    private TestAgent running;
    private String startedBy;

    private AgentPerClass(String name, Start start, AgentPerClass server) {
        this.name = name;
        this.start = start;
        this.server = server;
    }

    /** A single-node server, node-1. */
    static AgentPerClass server() {
        return server(c -> c);
    }

    /** A single-node server, node-1, whose configuration {@code customize} adjusts (a shorter kill grace, say). */
    static AgentPerClass server(UnaryOperator<AgentConfig> customize) {
        return new AgentPerClass("node-1", dir -> TestAgent.start(dir, customize), null);
    }

    /** A client agent (no store) named {@code name}, with {@code tags}, that joins {@code server}'s cluster. */
    static AgentPerClass client(String name, Map<String, String> tags, AgentPerClass server) {
        return new AgentPerClass(name, dir -> TestAgent.client(dir, name, tags, server.testAgent()), server);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        if (startedBy != null) {
            return; // a @Nested class: its outer class's agent serves it
        }
        if (server != null && server.running == null) {
            throw new IllegalStateException("client " + name + " registered before its server: give the server's"
                    + " field a lower @Order than the client's");
        }
        startedBy = context.getUniqueId();
        dataDir = Files.createTempDirectory("hibachi-" + name + "-");
        running = start.start(dataDir);
        if (server == null) {
            await(name + " leads").atMost(READY).until(() -> running.agent().isLeader());
        } else {
            await(name + " is an alive member of " + server.name + "'s cluster").atMost(READY).until(() ->
                    server.agent().membership().isAlive(name, running.agent().incarnation()));
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        if (!context.getUniqueId().equals(startedBy)) {
            return;
        }
        try {
            if (running != null) {
                running.close();
            }
        } finally {
            running = null;
            startedBy = null;
            StoreTestSupport.deleteTree(dataDir);
            dataDir = null;
        }
    }

    /** The running agent, for what takes a {@link TestAgent} (another agent joining it, say). */
    TestAgent testAgent() {
        if (running == null) {
            throw new IllegalStateException(name + " is not running: register it on a static @RegisterExtension"
                    + " field, and use it from the class's tests and @BeforeAll methods");
        }
        return running;
    }

    Agent agent() {
        return testAgent().agent();
    }

    /** Its data directory (deleted after the class). */
    Path dataDir() {
        testAgent(); // fails as the other accessors do when the agent is not running
        return dataDir;
    }

    int httpPort() {
        return testAgent().httpPort();
    }

    int rpcPort() {
        return testAgent().rpcPort();
    }

    int gossipPort() {
        return testAgent().gossipPort();
    }

    URI base() {
        return testAgent().base();
    }

    /**
     * The agent's API. It asks the agent's address at each request, so a class can make it in a static field
     * beside this one, before the agent starts and has its port.
     */
    Api api() {
        return new Api(this::base);
    }
}
