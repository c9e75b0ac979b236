package dev.hibachi.api;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Dkron's routes beyond the job basics, on a real agent: the agent's status, the upsert's three spellings and
 * {@code ?runoncreate}, toggle, manual runs (and Hibachi's {@code ?wait}), clearing history, busy, stats, pause,
 * restore, {@code ?pretty}, {@code X-Whom}, and reads that name a write's index.
 */
class DkronRoutesTest {
    private static final String JOB = """
            {"name":"%s","schedule":"@manually","executor":"shell","executor_config":{"command":"%s"}}""";

    @RegisterExtension
    static final AgentPerClass agent = AgentPerClass.server();
    static final Api api = agent.api();

    @Test
    void theStatusRouteNamesTheAgentItsClusterAndTags() {
        for (String path : List.of("/v1/", "/v1")) {
            Api.Response r = api.get(path);
            assertThat(r.status()).as(path + " " + r).isEqualTo(200);
            JsonNode status = r.json();
            assertThat(status.path("agent").path("name").asText()).isEqualTo("node-1");
            assertThat(status.path("agent").path("version").asText()).isNotBlank();
            assertThat(status.path("serf").path("members").asText()).isEqualTo("1");
            assertThat(status.path("serf").path("failed").asText()).isEqualTo("0");
            assertThat(status.path("tags").path("server").asText()).isEqualTo("true");
            assertThat(status.path("raft").path("role").asText()).isEqualTo("leader");
        }
    }

    @Test
    void everyAnswerSaysWhoAnsweredAndPrettyIndents() {
        assertThat(api.get("/v1/jobs").header("X-Whom")).isEqualTo("node-1");
        assertThat(api.get("/v1/jobs/nobody").header("X-Whom")).isEqualTo("node-1");
        Api.Response plain = api.get("/v1/");
        Api.Response pretty = api.get("/v1/?pretty");
        assertThat(plain.body()).doesNotContain("\n");
        assertThat(pretty.body()).contains("\n  \"agent\" : {");
        assertThat(pretty.json()).isEqualTo(plain.json());
        Api.Response prettyError = api.get("/v1/jobs/nobody?pretty=1");
        assertThat(prettyError.status()).isEqualTo(404);
        assertThat(prettyError.body()).contains("\n  \"error\" : \"job not found: nobody\"");
    }

    @Test
    void putAndPatchUpsertLikePostAndAnswerTheJobAsStored() {
        Api.Response put = api.send("PUT", "/v1/jobs/by-put", """
                {"schedule":"@every 1h","executor":"shell","executor_config":{"command":"true"}}""");
        assertThat(put.status()).as(put.toString()).isEqualTo(201);
        assertThat(put.header("Location")).isEqualTo("/v1/jobs/by-put");
        assertThat(put.json().path("id").asText()).isEqualTo("by-put");
        assertThat(put.json().path("next").asText()).as("the job as stored, with its next instant")
                .isNotEqualTo("0001-01-01T00:00:00Z");

        Api.Response mismatch = api.send("PUT", "/v1/jobs/by-put", JOB.formatted("other-name", "true"));
        assertThat(mismatch.status()).as(mismatch.toString()).isEqualTo(400);
        assertThat(mismatch.json().path("field").asText()).isEqualTo("name");
        assertThat(mismatch.json().path("error").asText()).contains("other-name", "by-put");
        assertThat(api.get("/v1/jobs/other-name").status()).isEqualTo(404);

        Api.Response patch = api.send("PATCH", "/v1/jobs", JOB.formatted("by-patch", "true"));
        assertThat(patch.status()).as(patch.toString()).isEqualTo(201);
        assertThat(api.job("by-patch").path("schedule").asText()).isEqualTo("@manually");
    }

    @Test
    void runOnCreateStartsOneRunOfTheNewJob() {
        Api.Response created = api.post("/v1/jobs?runoncreate", JOB.formatted("run-on-create", "echo created"));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        String runId = created.header("X-Hibachi-Run-Id");
        assertThat(runId).isNotNull();
        await().atMost(Duration.ofSeconds(10)).until(() -> api.executions("run-on-create").stream()
                .anyMatch(e -> e.path("group").asText().equals(runId) && e.path("success").asBoolean()));
        assertThat(api.executions("run-on-create")).hasSize(1);
    }

    @Test
    void toggleFlipsDisabledAndADisabledJobIsNotRunByHand() {
        api.putJob(JOB.formatted("toggled", "true"));
        Api.Response off = api.post("/v1/jobs/toggled/toggle", "");
        assertThat(off.status()).as(off.toString()).isEqualTo(200);
        assertThat(off.json().path("disabled").asBoolean()).isTrue();
        Api.Response run = api.post("/v1/jobs/toggled", "");
        assertThat(run.status()).as(run.toString()).isEqualTo(409);
        assertThat(run.json().path("error").asText()).contains("disabled");
        Api.Response on = api.post("/v1/jobs/toggled/toggle", "");
        assertThat(on.json().path("disabled").asBoolean()).isFalse();
        Api.Response unknown = api.post("/v1/jobs/nobody/toggle", "");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.json().path("error").asText()).isEqualTo("job not found: nobody");
    }

    @Test
    void aManualRunAnswersAtOnceAndWaitsForItsResultWhenAsked() {
        api.putJob(JOB.formatted("waited", "echo waited"));
        Api.Response now = api.post("/v1/jobs/waited/run", "");
        assertThat(now.status()).as(now.toString()).isEqualTo(200);
        assertThat(now.json().path("name").asText()).isEqualTo("waited");
        assertThat(now.header("X-Hibachi-Run-Id")).isNotNull();

        Api.Response done = api.post("/v1/jobs/waited?wait=20s", "");
        assertThat(done.status()).as(done.toString()).isEqualTo(200);
        assertThat(done.header("X-Hibachi-Run-Status")).isEqualTo("success");
        assertThat(done.list()).hasSize(1);
        assertThat(done.list().get(0).path("output").asText()).isEqualTo("waited\n");
        assertThat(done.list().get(0).path("group").asText()).isEqualTo(done.header("X-Hibachi-Run-Id"));

        api.putJob(JOB.formatted("waited-fails", "false"));
        Api.Response failed = api.post("/v1/jobs/waited-fails/run?wait=20s", "");
        assertThat(failed.status()).as(failed.toString()).isEqualTo(200);
        assertThat(failed.header("X-Hibachi-Run-Status")).isEqualTo("failed");
        assertThat(failed.list().get(0).path("exit_code").asInt()).isEqualTo(1);

        api.putJob(JOB.formatted("waited-slow", "sleep 3"));
        Api.Response early = api.post("/v1/jobs/waited-slow/run?wait=300ms", "");
        assertThat(early.status()).as(early.toString()).isEqualTo(202);
        assertThat(early.header("X-Hibachi-Run-Status")).isEqualTo("running");

        for (String bad : List.of("soon", "0s", "-1s", "48h")) {
            Api.Response r = api.post("/v1/jobs/waited/run?wait=" + bad, "");
            assertThat(r.status()).as(bad + ": " + r).isEqualTo(400);
            assertThat(r.json().path("field").asText()).isEqualTo("wait");
        }
    }

    @Test
    void deletingExecutionsClearsTheHistoryAndTheCounters() {
        api.putJob(JOB.formatted("history", "true"));
        assertThat(api.post("/v1/jobs/history?wait=20s", "").status()).isEqualTo(200);
        assertThat(api.job("history").path("success_count").asLong()).isEqualTo(1);
        Api.Response cleared = api.delete("/v1/jobs/history/executions");
        assertThat(cleared.status()).as(cleared.toString()).isEqualTo(200);
        assertThat(cleared.json().path("success_count").asLong()).isZero();
        assertThat(cleared.json().path("last_success").isNull()).isTrue();
        assertThat(api.executions("history")).isEmpty();
        assertThat(api.delete("/v1/jobs/nobody/executions").status()).isEqualTo(404);
    }

    @Test
    void busyListsRunningExecutionsAndStatsCountToday() {
        // the stats count every job of the agent: let runs the other tests left going (waited-slow) end first
        await().atMost(Duration.ofSeconds(15)).until(() -> api.get("/v1/busy").list().isEmpty());
        JsonNode before = today(api.get("/v1/stats?days=2"));
        api.putJob(JOB.formatted("stat-ok", "true"));
        api.putJob(JOB.formatted("stat-fails", "false"));
        assertThat(api.post("/v1/jobs/stat-ok?wait=20s", "").status()).isEqualTo(200);
        assertThat(api.post("/v1/jobs/stat-fails?wait=20s", "").status()).isEqualTo(200);
        JsonNode after = today(api.get("/v1/stats?days=2"));
        assertThat(after.path("success_count").asLong()).isEqualTo(before.path("success_count").asLong() + 1);
        assertThat(after.path("failed_count").asLong()).isEqualTo(before.path("failed_count").asLong() + 1);
        assertThat(api.get("/v1/stats").json().path("stats").size()).as("default days").isEqualTo(30);
        assertThat(api.get("/v1/stats?days=abc").json().path("stats").size()).isEqualTo(30);
        assertThat(api.get("/v1/stats?days=1000").json().path("stats").size()).isEqualTo(365);
        assertThat(api.get("/v1/stats?days=0").json().path("stats").size()).isEqualTo(1);

        api.putJob(JOB.formatted("busy-one", "sleep 20"));
        String runId = api.post("/v1/jobs/busy-one", "").header("X-Hibachi-Run-Id");
        await().atMost(Duration.ofSeconds(10)).until(() -> api.get("/v1/busy").list().stream()
                .anyMatch(e -> e.path("group").asText().equals(runId)));
        Api.Response busy = api.get("/v1/busy");
        assertThat(busy.header("X-Total-Count")).isEqualTo(String.valueOf(busy.list().size()));
        JsonNode running = busy.list().stream().filter(e -> e.path("job_name").asText().equals("busy-one"))
                .findFirst().orElseThrow();
        assertThat(running.path("finished_at").asText()).isEqualTo("0001-01-01T00:00:00Z");
        assertThat(running.path("status").asText()).isEqualTo("running");
        api.post("/v1/jobs/busy-one/executions/" + running.path("id").asText() + "/kill", "");
        await().atMost(Duration.ofSeconds(15)).until(() -> api.get("/v1/busy").list().stream()
                .noneMatch(e -> e.path("job_name").asText().equals("busy-one")));
    }

    private static JsonNode today(Api.Response stats) {
        assertThat(stats.status()).as(stats.toString()).isEqualTo(200);
        JsonNode days = stats.json().path("stats");
        assertThat(days.size()).isEqualTo(2);
        JsonNode last = days.get(1);
        assertThat(last.path("date").asText()).isEqualTo(LocalDate.now(ZoneOffset.UTC) + "T00:00:00Z");
        return last;
    }

    @Test
    void pauseRefusesNewJobsUntilUnpausedButRunsGoOn() {
        api.putJob(JOB.formatted("paused-runner", "true"));
        try {
            Api.Response paused = api.post("/v1/pause", "");
            assertThat(paused.status()).as(paused.toString()).isEqualTo(200);
            assertThat(paused.json().path("paused").asBoolean()).isTrue();
            assertThat(api.get("/v1/pause").json().path("paused").asBoolean()).isTrue();

            Api.Response refused = api.post("/v1/jobs", JOB.formatted("while-paused", "true"));
            assertThat(refused.status()).as(refused.toString()).isEqualTo(503);
            assertThat(refused.json().path("error").asText()).contains("paused");
            assertThat(api.get("/v1/jobs/while-paused").status()).isEqualTo(404);
            assertThat(api.post("/v1/jobs/paused-runner?wait=20s", "").header("X-Hibachi-Run-Status"))
                    .as("manual runs go on while paused").isEqualTo("success");
        } finally {
            Api.Response unpaused = api.post("/v1/unpause", "");
            assertThat(unpaused.json().path("paused").asBoolean()).isFalse();
        }
        assertThat(api.get("/v1/pause").json().path("paused").asBoolean()).isFalse();
        assertThat(api.post("/v1/jobs", JOB.formatted("while-paused", "true")).status()).isEqualTo(201);
    }

    @Test
    void restoreWritesParentsFirstAndRefusesABadSetWhole() throws Exception {
        String jobs = """
                [{"name":"restored-child","parent_job":"restored-parent","executor":"shell",
                  "executor_config":{"command":"true"}},
                 {"name":"restored-parent","schedule":"@every 1h","executor":"shell",
                  "executor_config":{"command":"true"}}]""";
        Api.Response r = restore("file", jobs);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.json().isTextual()).as("Dkron's answer is a JSON string holding an array").isTrue();
        assertThat(Api.JSON.readTree(r.json().asText()).toString())
                .isEqualTo("[\"success create restored-parent\",\"success create restored-child\"]");
        assertThat(api.job("restored-parent").path("dependent_jobs").toString()).contains("restored-child");

        Api.Response orphan = restore("file", """
                [{"name":"restored-orphan","parent_job":"nobody","executor":"shell","executor_config":{"command":"true"}},
                 {"name":"restored-fine","schedule":"@every 1h","executor":"shell","executor_config":{"command":"true"}}]""");
        assertThat(orphan.status()).as(orphan.toString()).isEqualTo(404);
        assertThat(orphan.json().path("error").asText()).contains("restored-orphan", "nobody");
        assertThat(api.get("/v1/jobs/restored-fine").status()).as("nothing of a refused set is written").isEqualTo(404);

        Api.Response typo = restore("file", """
                [{"name":"restored-fine","schedule":"@every 1h","executor":"shell","executor_config":{"command":"true"}},
                 {"name":"restored-typo","nmae":"x"}]""");
        assertThat(typo.status()).as(typo.toString()).isEqualTo(400);
        assertThat(typo.json().path("field").asText()).isEqualTo("[1].nmae");
        assertThat(api.get("/v1/jobs/restored-fine").status()).isEqualTo(404);

        Api.Response noFile = restore("jobs", jobs);
        assertThat(noFile.status()).as(noFile.toString()).isEqualTo(404);
        assertThat(noFile.json().path("field").asText()).isEqualTo("file");
        Api.Response notArray = restore("file", "{\"name\":\"x\"}");
        assertThat(notArray.status()).isEqualTo(400);
        assertThat(notArray.json().path("error").asText()).contains("array");
    }

    private static Api.Response restore(String field, String content) {
        String boundary = "hibachi-test-boundary";
        String body = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + field
                + "\"; filename=\"jobs.json\"\r\nContent-Type: application/json\r\n\r\n" + content + "\r\n--"
                + boundary + "--\r\n";
        return api.send(HttpRequest.newBuilder(agent.base().resolve("/v1/restore"))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build());
    }

    @Test
    void aReadNamingAWritesIndexSeesThatWrite() {
        Api.Response written = api.post("/v1/jobs", JOB.formatted("indexed", "true"));
        String index = written.header("X-Hibachi-Index");
        assertThat(index).matches("\\d+");
        Api.Response byParameter = api.get("/v1/jobs/indexed?index=" + index);
        assertThat(byParameter.status()).as(byParameter.toString()).isEqualTo(200);
        Api.Response byHeader = api.send(HttpRequest.newBuilder(agent.base().resolve("/v1/jobs/indexed"))
                .header("X-Hibachi-Index", index).GET().build());
        assertThat(byHeader.status()).as(byHeader.toString()).isEqualTo(200);
        Api.Response stale = api.get("/v1/jobs?stale");
        assertThat(stale.status()).isEqualTo(200);
        assertThat(stale.list()).extracting(j -> j.path("name").asText()).contains("indexed");
        Api.Response bad = api.get("/v1/jobs/indexed?index=yesterday");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().path("field").asText()).isEqualTo("index");
    }

    /**
     * Jobs as a Dkron user sends them (notes/dkron.md §2.1): every field, Dkron's spellings, read-only fields
     * echoed back as GET answered them, string-valued {@code executor_config}, the reserved {@code server} tag,
     * a six-field schedule with seconds and an HTML datetime-local time. Accepted, and they run.
     */
    @Test
    void dkronStyleJobsWithEveryFieldAreAcceptedAndRun() {
        Api.Response parent = api.post("/v1/jobs", """
                {"id":"dk-parent","name":"dk-parent","displayname":"Dkron parent","timezone":"Europe/Berlin",
                 "schedule":"*/1 * * * * *","owner":"ops","owner_email":"ops@example.com","success_count":0,
                 "error_count":0,"last_success":null,"last_error":"0001-01-01T00:00:00Z","disabled":false,
                 "tags":{"server":"true:1"},"metadata":{"team":"platform","tier":"1"},"retries":2,
                 "dependent_jobs":null,"parent_job":"","processors":{"log":{"forward":"true"}},"concurrency":"forbid",
                 "executor":"shell","executor_config":{"command":"echo parent $GREETING","shell":"true",
                 "env":"GREETING=hello,OTHER=1","cwd":"/tmp","timeout":"30s","mem_limit":"1000000000"},
                 "status":"","next":"0001-01-01T00:00:00Z","ephemeral":false,"starts_at":"2020-01-02T15:04",
                 "expires_at":"2036-01-02T15:04:05Z"}""");
        assertThat(parent.status()).as(parent.toString()).isEqualTo(201);
        Api.Response child = api.post("/v1/jobs", """
                {"id":"dk-child","name":"dk-child","displayname":"","timezone":"","schedule":"","owner":"",
                 "owner_email":"","success_count":0,"error_count":0,"last_success":null,"last_error":null,
                 "disabled":false,"tags":null,"metadata":null,"retries":0,"dependent_jobs":[],
                 "parent_job":"dk-parent","processors":{},"concurrency":"","executor":"shell",
                 "executor_config":{"command":"echo child"},"status":"","next":"0001-01-01T00:00:00Z",
                 "ephemeral":false,"starts_at":null,"expires_at":null}""");
        assertThat(child.status()).as(child.toString()).isEqualTo(201);

        JsonNode stored = api.job("dk-parent");
        assertThat(stored.path("dependent_jobs").toString()).isEqualTo("[\"dk-child\"]");
        assertThat(stored.path("executor_config").path("env").asText()).isEqualTo("GREETING=hello,OTHER=1");
        assertThat(stored.path("concurrency").asText()).isEqualTo("forbid");
        assertThat(stored.path("starts_at").asText()).isEqualTo("2020-01-02T15:04:00Z");
        assertThat(api.job("dk-child").path("concurrency").asText()).as("Dkron's empty concurrency is allow")
                .isEqualTo("allow");

        await().atMost(Duration.ofSeconds(15)).until(() -> api.executions("dk-child").stream()
                .anyMatch(e -> e.path("success").asBoolean()));
        JsonNode ran = api.executions("dk-parent").stream().filter(e -> e.path("success").asBoolean())
                .findFirst().orElseThrow();
        assertThat(ran.path("output").asText()).isEqualTo("parent hello\n");
        assertThat(ran.path("node_name").asText()).as("server=true:1 picks the one server").isEqualTo("node-1");
        assertThat(api.executions("dk-child").get(0).path("output").asText()).isEqualTo("child\n");
        api.post("/v1/jobs/dk-parent/toggle", "");
    }
}
