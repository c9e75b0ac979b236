package dev.hibachi.api;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Live output on two real agents, a server and a tagged client that runs the jobs: the server streams what runs
 * on the client (forwarded to it over HTTP, not through Raft) while the process still runs, resumes by
 * {@code Last-Event-ID}, shows the tail in {@code /v1/busy}, and ends with the status the store records.
 */
class LiveOutputApiTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    @RegisterExtension @Order(1) // JUnit orders these by @Order, not as written: a client joins a running server
    static final AgentPerClass server = AgentPerClass.server();
    @RegisterExtension @Order(2) // and so it closes before the server
    static final AgentPerClass client = AgentPerClass.client("web-1", Map.of("role", "web"), server);

    /** Starts a run of a job on the client that prints {@code first}, waits for {@code gate}, then prints {@code second}. */
    private static String startGatedRun(String job, Path gate) {
        server.api().putJob("""
                {"name":"%s","schedule":"@manually","executor":"shell","tags":{"role":"web:1"},
                 "executor_config":{"shell":"true",
                   "command":"echo first; while [ ! -f '%s' ]; do sleep 0.05; done; echo second"}}"""
                .formatted(job, gate));
        Api.Response run = server.api().post("/v1/jobs/" + job + "/run", "");
        assertThat(run.status()).as(run.toString()).isEqualTo(200);
        String id = run.header(JobsController.RUN_ID_HEADER) + "-1-web-1";
        await().atMost(WAIT).until(() -> server.api().get("/v1/jobs/" + job + "/executions/" + id).status() == 200);
        return id;
    }

    private static URI outputUri(AgentPerClass agent, String job, String id, String query) {
        return URI.create("http://127.0.0.1:" + agent.httpPort() + "/v1/jobs/" + job + "/executions/" + id
                + "/output" + query);
    }

    @Test
    void anyAgentStreamsTheOutputWhileTheProcessRunsThenTheFinalStatus(@TempDir Path tmp) throws Exception {
        Path gate = tmp.resolve("gate");
        String id = startGatedRun("live-follow", gate);

        try (EventStream fromServer = EventStream.open(outputUri(server, "live-follow", id, "?follow=true"), null)) {
            assertThat(fromServer.status).isEqualTo(200);
            assertThat(fromServer.contentType).startsWith("text/event-stream");
            EventStream.Event first = fromServer.next(WAIT);
            assertThat(first.name()).isEqualTo("output");
            assertThat(first.data()).isEqualTo("first\n");
            assertThat(first.id()).isEqualTo("6");
            assertThat(Files.exists(gate)).as("the process is still waiting for the gate").isFalse();

            // While it runs: the plain output, and the busy list with the live tail, from the server.
            Api.Response snapshot = server.api().get("/v1/jobs/live-follow/executions/" + id + "/output");
            assertThat(snapshot.status()).as(snapshot.toString()).isEqualTo(200);
            assertThat(snapshot.body()).isEqualTo("first\n");
            Api.Response busy = server.api().get("/v1/busy");
            JsonNode running = busy.list().stream().filter(e -> e.path("id").asText().equals(id)).findFirst()
                    .orElseThrow(() -> new AssertionError("not busy: " + busy));
            assertThat(running.path("output").asText()).isEqualTo("first\n");
            assertThat(running.path("status").asText()).isEqualTo("running");

            // A second reader resumes after what it had: it gets only what comes next.
            try (EventStream resumed = EventStream.open(outputUri(client, "live-follow", id, "?follow=true"), "6")) {
                Files.writeString(gate, "go");
                List<EventStream.Event> rest = fromServer.untilEnd(WAIT);
                assertThat(EventStream.text(rest)).isEqualTo("second\n");
                JsonNode end = Api.JSON.readTree(rest.get(rest.size() - 1).data());
                assertThat(end.path("status").asText()).isEqualTo("success");
                assertThat(end.path("exit_code").asInt()).isZero();
                assertThat(end.path("id").asText()).isEqualTo(id);

                assertThat(EventStream.text(resumed.untilEnd(WAIT))).isEqualTo("second\n");
            }
        }

        // Once over, the store answers: the whole output, then the same end.
        await().atMost(WAIT).until(() -> server.api().get("/v1/jobs/live-follow/executions/" + id).json()
                .path("status").asText().equals("success"));
        try (EventStream after = EventStream.open(outputUri(client, "live-follow", id, "?follow=true"), null)) {
            List<EventStream.Event> all = after.untilEnd(WAIT);
            assertThat(EventStream.text(all)).isEqualTo("first\nsecond\n");
            assertThat(Api.JSON.readTree(all.get(all.size() - 1).data()).path("success").asBoolean()).isTrue();
        }
    }

    @Test
    void aKilledRunEndsItsStreamWithKilled(@TempDir Path tmp) throws Exception {
        String id = startGatedRun("live-kill", tmp.resolve("never"));
        try (EventStream stream = EventStream.open(outputUri(server, "live-kill", id, "?follow=true"), null)) {
            assertThat(stream.next(WAIT).data()).isEqualTo("first\n");
            Api.Response kill = server.api().post("/v1/jobs/live-kill/executions/" + id + "/kill",
                    "{\"by\":\"test\"}");
            assertThat(kill.status()).as(kill.toString()).isEqualTo(202);
            List<EventStream.Event> rest = stream.untilEnd(WAIT);
            JsonNode end = Api.JSON.readTree(rest.get(rest.size() - 1).data());
            assertThat(end.path("status").asText()).isEqualTo("killed");
            assertThat(end.path("success").asBoolean()).isFalse();
            assertThat(end.path("killed_by").asText()).isEqualTo("test");
        }
    }

    @Test
    void errorPatternFailsARunThatExitsZero() {
        server.api().putJob("""
                {"name":"pattern-hit","schedule":"@manually","executor":"shell","tags":{"role":"web"},
                 "executor_config":{"shell":"true","command":"echo all good; echo 'ERROR: disk full'; exit 0",
                   "error_pattern":"^ERROR"}}""");
        server.api().putJob("""
                {"name":"pattern-miss","schedule":"@manually","executor":"shell","tags":{"role":"web"},
                 "executor_config":{"shell":"true","command":"echo no ERROR here","error_pattern":"^ERROR"}}""");

        Api.Response hit = server.api().post("/v1/jobs/pattern-hit/run?wait=30s", "");
        assertThat(hit.status()).as(hit.toString()).isEqualTo(200);
        JsonNode failed = hit.list().get(0);
        assertThat(failed.path("success").asBoolean()).isFalse();
        assertThat(failed.path("exit_code").asInt()).isZero();
        assertThat(failed.path("output").asText()).contains("ERROR: disk full")
                .contains("[hibachi: failed: the output matched error_pattern \"^ERROR\": ERROR: disk full]");

        Api.Response miss = server.api().post("/v1/jobs/pattern-miss/run?wait=30s", "");
        assertThat(miss.list().get(0).path("success").asBoolean()).as(miss.toString()).isTrue();
    }

    @Test
    void badRequestsAreRefusedWithTheirField() {
        Api.Response badPattern = server.api().post("/v1/jobs", """
                {"name":"pattern-bad","schedule":"@manually","executor":"shell",
                 "executor_config":{"command":"true","error_pattern":"(unclosed"}}""");
        assertThat(badPattern.status()).as(badPattern.toString()).isEqualTo(400);
        assertThat(badPattern.json().path("error").asText()).startsWith("executor_config.error_pattern:");
        assertThat(server.api().get("/v1/jobs/pattern-bad").status()).isEqualTo(404);

        server.api().putJob("""
                {"name":"output-params","schedule":"@manually","executor":"shell","executor_config":{"command":"true"}}""");
        Api.Response follow = server.api().get("/v1/jobs/output-params/executions/1-1-node-1/output?follow=maybe");
        assertThat(follow.status()).as(follow.toString()).isEqualTo(400);
        assertThat(follow.json().path("field").asText()).isEqualTo("follow");
        Api.Response from = server.api().get("/v1/jobs/output-params/executions/1-1-node-1/output?follow=true&from=-3");
        assertThat(from.status()).as(from.toString()).isEqualTo(400);
        assertThat(from.json().path("field").asText()).isEqualTo("from");
        Api.Response unknown = server.api().get("/v1/jobs/output-params/executions/1-1-node-1/output");
        assertThat(unknown.status()).as(unknown.toString()).isEqualTo(404);
        assertThat(unknown.json().path("error").asText()).contains("1-1-node-1");
        Api.Response notAnId = server.api().get("/v1/jobs/output-params/executions/nonsense/output?follow=true");
        assertThat(notAnId.status()).as(notAnId.toString()).isEqualTo(404);
        Api.Response tail = server.api().get("/v1/busy?tail=lots");
        assertThat(tail.status()).as(tail.toString()).isEqualTo(400);
        assertThat(tail.json().path("field").asText()).isEqualTo("tail");
    }
}
