package dev.hibachi.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.core.type.TypeReference;
import com.sun.net.httpserver.HttpServer;
import dev.hibachi.agent.dispatch.DispatchObserver;
import dev.hibachi.store.StoreTestSupport;
import dev.hibachi.store.apply.Reply;
import dev.hibachi.store.json.Json;
import dev.hibachi.store.model.Execution;
import dev.hibachi.store.model.Job;
import dev.hibachi.store.raft.ReadConsistency;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * http jobs on a real single-node agent (Ratis on loopback, RocksDB, the built-in executors found through
 * ServiceLoader) against a real local HTTP server: validated at creation, run, recorded with the body as
 * output and the status as exit code.
 */
@Timeout(120)
class HttpJobEndToEndTest {

    @TempDir
    static Path tmp;

    private static Agent agent;
    private static HttpServer server;
    private static String base;

    @BeforeAll
    static void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/ok", ex -> answer(ex, 200, "all good: " + ex.getRequestMethod() + " "
                + new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
        server.createContext("/broken", ex -> answer(ex, 500, "it broke"));
        server.start();
        base = "http://127.0.0.1:" + server.getAddress().getPort();

        AgentConfig config = AgentConfig.dev("node-1", tmp.resolve("agent"), freePort(), freePort(),
                StoreTestSupport.freeGossipPort()).withShutdownGrace(Duration.ofSeconds(2));
        agent = Agent.start(config, Clock.systemUTC(), DispatchObserver.NONE, false);
        await().atMost(Duration.ofSeconds(30)).until(() -> agent.isLeader() && agent.healthy());
    }

    @AfterAll
    static void stop() throws Exception {
        if (agent != null) {
            agent.close();
        }
        if (server != null) {
            server.stop(0);
        }
    }

    private static void answer(com.sun.net.httpserver.HttpExchange ex, int status, String text) throws IOException {
        byte[] out = text.getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(status, out.length);
        try (OutputStream os = ex.getResponseBody()) {
            os.write(out);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static Reply put(String name, Map<String, String> config) throws Exception {
        return agent.jobs().putJob(Job.of(name, "@manually", "http", config));
    }

    private static Execution runAndAwait(String name) throws Exception {
        Reply run = agent.jobs().runNow(name);
        assertThat(run.ok()).as(run.error()).isTrue();
        long runId = run.value().path("run_id").asLong();
        return await().atMost(Duration.ofSeconds(20)).until(() -> {
            Reply r = agent.jobs().executions(name, 100, -1, ReadConsistency.LINEARIZABLE);
            List<Execution> ex = Json.mapper().convertValue(r.value().path("executions"),
                    new TypeReference<List<Execution>>() { });
            return ex.stream().filter(e -> e.group() == runId && e.finished()).findFirst().orElse(null);
        }, e -> e != null);
    }

    @Test
    void anHttpJobRunsAndRecordsTheBodyAndTheStatus() throws Exception {
        Reply put = put("ping", Map.of("url", base + "/ok", "method", "POST", "body", "ping", "expectCode", "200",
                "expectBody", "^all good"));
        assertThat(put.ok()).as(put.error()).isTrue();

        Execution e = runAndAwait("ping");

        assertThat(e.success()).as(e.output()).isTrue();
        assertThat(e.status()).isEqualTo(Execution.SUCCEEDED);
        assertThat(e.exitCode()).isEqualTo(200);
        assertThat(e.output()).isEqualTo("all good: POST ping");
    }

    @Test
    void aStatusOutsideExpectCodeIsRecordedAsAFailureWithTheReason() throws Exception {
        assertThat(put("broken", Map.of("url", base + "/broken", "expectCode", "200,204")).ok()).isTrue();

        Execution e = runAndAwait("broken");

        assertThat(e.success()).isFalse();
        assertThat(e.status()).isEqualTo(Execution.FAILED);
        assertThat(e.exitCode()).isEqualTo(500);
        assertThat(e.output()).isEqualTo("it broke\n[hibachi: response status 500 is not in expectCode 200,204]\n");
    }

    @Test
    void badConfigIsRefusedAtCreationNamingTheKey() throws Exception {
        Reply r = put("bad", Map.of("url", base + "/ok", "expectCode", "two hundred"));

        assertThat(r.ok()).isFalse();
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.field()).isEqualTo("executor_config");
        assertThat(r.error()).startsWith("executor_config.expectCode: ");
        assertThat(agent.jobs().job("bad", ReadConsistency.LINEARIZABLE).ok()).isFalse();
    }
}
