package dev.hibachi.api;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The jobs routes through HTTP on a real agent, as a user (or curl) meets them. */
class JobsApiTest {
    @RegisterExtension
    static final AgentPerClass agent = AgentPerClass.server();
    static final Api api = agent.api();

    @Test
    void anEveryJobRunsAndItsExecutionAndCountersShow() {
        Api.Response created = api.post("/v1/jobs", """
                {"name":"hello","schedule":"@every 2s","executor":"shell","executor_config":{"command":"echo hi"}}""");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        assertThat(created.header("Location")).isEqualTo("/v1/jobs/hello");
        assertThat(created.json().path("name").asText()).isEqualTo("hello");

        AtomicReference<JsonNode> execution = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(100)).until(() -> {
            execution.set(api.executions("hello").stream()
                    .filter(e -> e.path("success").asBoolean()).findFirst().orElse(null));
            return execution.get() != null;
        });
        JsonNode e = execution.get();
        assertThat(e.path("output").asText()).isEqualTo("hi\n");
        assertThat(e.path("job_name").asText()).isEqualTo("hello");
        assertThat(e.path("node_name").asText()).isEqualTo("node-1");
        assertThat(e.path("exit_code").asInt()).isZero();
        assertThat(e.path("status").asText()).isEqualTo("success");
        assertThat(e.path("attempt").asInt()).isEqualTo(1);
        Instant started = Instant.parse(e.path("started_at").asText());
        Instant finished = Instant.parse(e.path("finished_at").asText());
        assertThat(finished).isAfterOrEqualTo(started);
        assertThat(Instant.parse(e.path("scheduled_at").asText())).isBeforeOrEqualTo(started.plusSeconds(1));

        await().atMost(Duration.ofSeconds(3)).untilAsserted(() -> {
            JsonNode job = api.job("hello");
            assertThat(job.path("success_count").asLong()).isGreaterThanOrEqualTo(1);
            assertThat(job.path("error_count").asLong()).isZero();
            assertThat(job.path("status").asText()).isEqualTo("success");
            assertThat(job.path("last_success").asText()).doesNotStartWith("0001-01-01");
            assertThat(Instant.parse(job.path("next").asText())).isAfter(Instant.now().minusMillis(500));
        });
        JsonNode byId = api.get("/v1/jobs/hello/executions/" + e.path("id").asText()).json();
        assertThat(byId.path("id").asText()).isEqualTo(e.path("id").asText());
        assertThat(byId.path("output").asText()).isEqualTo("hi\n");
    }

    @Test
    void aCurlStyleFormEncodedPostHoldingJsonIsAccepted() {
        // curl -d '{...}' sends the JSON as it is, labelled application/x-www-form-urlencoded.
        Api.Response r = api.post("/v1/jobs", """
                {"name":"curl-job","schedule":"@manually","executor":"shell","executor_config":{"command":"echo curl"}}""",
                "application/x-www-form-urlencoded");
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        assertThat(api.job("curl-job").path("executor_config").path("command").asText()).isEqualTo("echo curl");

        Api.Response noType = api.post("/v1/jobs", """
                {"name":"untyped-job","schedule":"@manually","executor":"shell","executor_config":{"command":"true"}}""",
                (String) null);
        assertThat(noType.status()).as(noType.toString()).isEqualTo(201);
    }

    @Test
    void listingCountsTheJobs() {
        api.putJob(manualJob("list-a", "true"));
        api.putJob(manualJob("list-b", "true"));
        Api.Response r = api.get("/v1/jobs");
        assertThat(r.status()).isEqualTo(200);
        List<JsonNode> jobs = r.list();
        assertThat(jobs).extracting(j -> j.path("name").asText()).contains("list-a", "list-b");
        assertThat(r.header("X-Total-Count")).isEqualTo(String.valueOf(jobs.size()));
    }

    @Test
    void aDeletedJobIsGone() {
        api.putJob(manualJob("doomed", "true"));
        Api.Response deleted = api.delete("/v1/jobs/doomed");
        assertThat(deleted.status()).as(deleted.toString()).isEqualTo(200);
        assertThat(deleted.json().path("name").asText()).isEqualTo("doomed");

        Api.Response gone = api.get("/v1/jobs/doomed");
        assertThat(gone.status()).isEqualTo(404);
        assertThat(gone.header("Content-Type")).startsWith("application/json");
        assertThat(gone.json().path("error").asText()).contains("doomed");
        assertThat(api.get("/v1/jobs/doomed/executions").status()).isEqualTo(404);
        assertThat(api.delete("/v1/jobs/doomed").status()).isEqualTo(404);
        assertThat(api.post("/v1/jobs/doomed", "").status()).isEqualTo(404);
    }

    @Test
    void toggleDisablesThenEnablesAndAnswersTheJob() {
        api.putJob("{\"name\":\"toggled\",\"schedule\":\"@every 1h\",\"executor\":\"shell\","
                + "\"executor_config\":{\"command\":\"true\"}}");
        Api.Response off = api.post("/v1/jobs/toggled/toggle", "");
        assertThat(off.status()).as(off.toString()).isEqualTo(200);
        assertThat(off.json().path("disabled").asBoolean()).isTrue();
        assertThat(api.job("toggled").path("disabled").asBoolean()).isTrue();

        Api.Response on = api.post("/v1/jobs/toggled/toggle", "", null);
        assertThat(on.status()).as(on.toString()).isEqualTo(200);
        assertThat(on.json().path("disabled").asBoolean()).isFalse();
        assertThat(on.json().path("next").asText()).doesNotStartWith("0001-01-01");

        Api.Response unknown = api.post("/v1/jobs/no-such-job/toggle", "");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.json().path("error").asText()).isEqualTo("job not found: no-such-job");
    }

    @Test
    void runNowAnswersAtOnceWithTheRunIdAndTheExecutionCarriesIt() {
        api.putJob(manualJob("run-now", "echo now"));
        Api.Response r = api.post("/v1/jobs/run-now", "");
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.json().path("name").asText()).isEqualTo("run-now");
        String runId = r.header("X-Hibachi-Run-Id");
        assertThat(runId).isNotBlank().containsOnlyDigits();

        JsonNode e = awaitFinished("run-now", Long.parseLong(runId));
        assertThat(e.path("success").asBoolean()).isTrue();
        assertThat(e.path("output").asText()).isEqualTo("now\n");
        assertThat(e.path("attempt").asInt()).isEqualTo(1);
    }

    @Test
    void aFailingCommandIsAFailedExecutionWithItsExitCode() {
        api.putJob("""
                {"name":"fails","schedule":"@manually","executor":"shell",
                 "executor_config":{"command":"echo oops; exit 3","shell":"true"}}""");
        long run = Long.parseLong(api.post("/v1/jobs/fails", "").header("X-Hibachi-Run-Id"));
        JsonNode e = awaitFinished("fails", run);
        assertThat(e.path("success").asBoolean()).isFalse();
        assertThat(e.path("exit_code").asInt()).isEqualTo(3);
        assertThat(e.path("status").asText()).isEqualTo("failed");
        assertThat(e.path("output").asText()).contains("oops");
        await().atMost(Duration.ofSeconds(3)).untilAsserted(() -> {
            JsonNode job = api.job("fails");
            assertThat(job.path("error_count").asLong()).isEqualTo(1);
            assertThat(job.path("status").asText()).isEqualTo("failed");
            assertThat(job.path("last_error").asText()).doesNotStartWith("0001-01-01");
        });
    }

    @Test
    void aMissingBinaryWithoutAShellIsAFailedExecutionSayingWhy() {
        api.putJob("""
                {"name":"no-binary","schedule":"@manually","executor":"shell",
                 "executor_config":{"command":"/no/such/binary","shell":"false"}}""");
        long run = Long.parseLong(api.post("/v1/jobs/no-binary", "").header("X-Hibachi-Run-Id"));
        JsonNode e = awaitFinished("no-binary", run);
        assertThat(e.path("success").asBoolean()).isFalse();
        assertThat(e.path("output").asText()).contains("/no/such/binary");
    }

    @Test
    void aRunningExecutionShowsGoZeroTimeAsItsFinishTime() {
        api.putJob("""
                {"name":"still-running","schedule":"@manually","executor":"shell",
                 "executor_config":{"command":"sleep 3","shell":"true"}}""");
        long run = Long.parseLong(api.post("/v1/jobs/still-running", "").header("X-Hibachi-Run-Id"));
        AtomicReference<JsonNode> running = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(50)).until(() -> {
            running.set(api.executions("still-running").stream().filter(e -> e.path("group").asLong() == run)
                    .findFirst().orElse(null));
            return running.get() != null;
        });
        assertThat(running.get().path("status").asText()).isEqualTo("running");
        assertThat(running.get().path("finished_at").asText()).as(running.get().toString())
                .isEqualTo("0001-01-01T00:00:00Z");
    }

    @Test
    void aJobWithoutANextInstantShowsGoZeroTime() {
        api.putJob(manualJob("never-next", "true"));
        assertThat(api.job("never-next").path("next").asText()).isEqualTo("0001-01-01T00:00:00Z");
    }

    static String manualJob(String name, String command) {
        return "{\"name\":\"" + name + "\",\"schedule\":\"@manually\",\"executor\":\"shell\","
                + "\"executor_config\":{\"command\":" + Api.JSON.valueToTree(command) + "}}";
    }

    /** Waits for the (single) execution of run {@code group} to finish, and answers it. */
    static JsonNode awaitFinished(String job, long group) {
        AtomicReference<JsonNode> found = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).until(() -> {
            found.set(api.executions(job).stream().filter(e -> e.path("group").asLong() == group)
                    .filter(e -> !e.path("finished_at").asText("0001-01-01").startsWith("0001-01-01"))
                    .findFirst().orElse(null));
            return found.get() != null;
        });
        return found.get();
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
