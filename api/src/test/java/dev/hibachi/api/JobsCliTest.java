package dev.hibachi.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hibachi.api.CliTest.Run;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.hibachi.api.CliTest.hibachi;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

/**
 * The {@code hibachi jobs ...} and {@code hibachi leader} commands against a real agent, through the binary's
 * entry point: their tables and sentences, their {@code --json}, their exit codes, and what the agent holds
 * afterwards. ({@code jobs apply} and {@code jobs export} are in {@link JobsApplyCliTest}.)
 */
class JobsCliTest {
    @RegisterExtension
    static final AgentPerClass agent = AgentPerClass.server();
    static final Api api = agent.api();

    private static Run jobs(String... args) {
        List<String> all = new ArrayList<>(List.of("jobs"));
        all.addAll(List.of(args));
        all.addAll(List.of("--address", agent.base().toString()));
        return hibachi(all.toArray(String[]::new));
    }

    private static JsonNode json(Run r) throws Exception {
        assertThat(r.exit()).as(r.toString()).isZero();
        return Api.JSON.readTree(r.out());
    }

    @Test
    void listShowsEveryJobInATableAndAsJson() throws Exception {
        api.putJob("""
                {"name":"list-cli-a","schedule":"@every 1h","executor":"shell","executor_config":{"command":"true"},
                 "metadata":{"team":"ops"},"tags":{"role":"batch:1"}}""");
        api.putJob(JobsApiTest.manualJob("list-cli-b", "true"));

        Run table = jobs("list");
        assertThat(table.exit()).as(table.toString()).isZero();
        String[] lines = table.out().split("\n");
        assertThat(lines[0]).matches("Name +Schedule +Status +Disabled +Success +Errors +Last success +Last error +Next");
        String a = line(lines, "list-cli-a");
        assertThat(a).matches("list-cli-a +@every 1h +- +false +0 +0 +- +- +\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
        assertThat(a.indexOf("@every")).isEqualTo(lines[0].indexOf("Schedule"));
        assertThat(line(lines, "list-cli-b")).matches("list-cli-b +@manually +- +false +0 +0 +- +- +-");

        JsonNode all = json(jobs("list", "--json"));
        assertThat(all.isArray()).isTrue();
        assertThat(names(all)).contains("list-cli-a", "list-cli-b");
        assertThat(all.size()).isEqualTo(api.get("/v1/jobs").list().size());

        // The filters go to the agent, which applies them (once it knows them: every job it answers passes them).
        JsonNode filtered = json(jobs("list", "--json", "--q", "list-cli", "--metadata", "team=ops"));
        assertThat(names(filtered)).containsExactly("list-cli-a");
        assertThat(names(json(jobs("list", "--json", "--q", "list-cli", "--tag", "role=batch"))))
                .containsExactly("list-cli-a");
        assertThat(json(jobs("list", "--json", "--q", "list-cli", "--tag", "role=web"))).isEmpty();
    }

    @Test
    void getShowsOneJobAsKeyValueLinesOrJson() throws Exception {
        api.putJob("""
                {"name":"get-cli","schedule":"@every 1h","executor":"shell","executor_config":{"command":"echo hi"},
                 "tags":{"role":"web"},"retries":2}""");
        Run r = jobs("get", "get-cli");
        assertThat(r.exit()).as(r.toString()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines).contains("name:              get-cli", "schedule:          @every 1h",
                "tags:              role=web", "retries:           2", "executor_config:   command=echo hi",
                "last_success:      -");
        assertThat(lines).anyMatch(l -> l.matches("next: +\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ"));

        JsonNode job = json(jobs("get", "get-cli", "--json"));
        assertThat(job.path("name").asText()).isEqualTo("get-cli");
        assertThat(job.path("executor_config").path("command").asText()).isEqualTo("echo hi");
    }

    @Test
    void anUnknownJobExitsWith1AndTheAgentsMessageForEveryCommand() {
        for (String[] command : new String[][]{{"get", "ghost"}, {"toggle", "ghost"}, {"delete", "ghost"},
                {"executions", "ghost"}, {"misses", "ghost"}, {"run", "ghost"}, {"get", "ghost", "--json"}}) {
            Run r = jobs(command);
            assertThat(r.exit()).as(String.join(" ", command) + ": " + r).isEqualTo(1);
            assertThat(r.err().strip()).as(String.join(" ", command)).isEqualTo("Error: job not found: ghost (HTTP 404)");
            assertThat(r.out()).isEmpty();
        }
    }

    @Test
    void toggleDisablesThenEnablesAndDeleteRemoves() throws Exception {
        api.putJob("""
                {"name":"toggle-cli","schedule":"@every 1h","executor":"shell","executor_config":{"command":"true"}}""");
        Run off = jobs("toggle", "toggle-cli");
        assertThat(off.exit()).as(off.toString()).isZero();
        assertThat(off.out().strip()).isEqualTo("Job toggle-cli is now disabled.");
        assertThat(api.job("toggle-cli").path("disabled").asBoolean()).isTrue();

        JsonNode on = json(jobs("toggle", "toggle-cli", "--json"));
        assertThat(on.path("disabled").asBoolean()).isFalse();
        assertThat(api.job("toggle-cli").path("disabled").asBoolean()).isFalse();

        Run deleted = jobs("delete", "toggle-cli");
        assertThat(deleted.exit()).as(deleted.toString()).isZero();
        assertThat(deleted.out().strip()).isEqualTo("Deleted job toggle-cli.");
        assertThat(api.get("/v1/jobs/toggle-cli").status()).isEqualTo(404);
    }

    @Test
    void deletingAParentWithChildrenExitsWith1AndSaysWhy() throws Exception {
        api.putJob(JobsApiTest.manualJob("del-parent", "true"));
        api.putJob("""
                {"name":"del-child","parent_job":"del-parent","executor":"shell","executor_config":{"command":"true"}}""");
        Run r = jobs("delete", "del-parent");
        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        assertThat(r.err()).contains("delete children first: del-child").contains("(HTTP 409)");
        assertThat(api.get("/v1/jobs/del-parent").status()).isEqualTo(200);
        assertThat(json(jobs("delete", "del-child", "--json"))).isNotNull();
        assertThat(jobs("delete", "del-parent").exit()).isZero();
    }

    @Test
    void runStartsARunAndExecutionsShowsItsAttempts() throws Exception {
        api.putJob("""
                {"name":"run-cli","schedule":"@manually","executor":"shell",
                 "executor_config":{"command":"echo first line; echo second line","shell":"true"}}""");
        Run started = jobs("run", "run-cli");
        assertThat(started.exit()).as(started.toString()).isZero();
        Matcher m = Pattern.compile("Started run (\\d+) of job run-cli; follow it with hibachi jobs executions run-cli\\.")
                .matcher(started.out().strip());
        assertThat(m.matches()).as(started.out()).isTrue();
        long runId = Long.parseLong(m.group(1));
        await().atMost(Duration.ofSeconds(10)).until(() -> api.executions("run-cli").stream()
                .anyMatch(e -> e.path("group").asLong() == runId && "success".equals(e.path("status").asText())));

        Run table = jobs("executions", "run-cli");
        assertThat(table.exit()).as(table.toString()).isZero();
        String[] lines = table.out().split("\n");
        assertThat(lines[0]).matches("ID +Node +Attempt +Started +Finished +Status +Exit +Output");
        assertThat(line(lines, runId + "-1-node-1")).matches(runId + "-1-node-1 +node-1 +1 +\\S+Z +\\S+Z +success +0"
                + " +first line…");

        JsonNode executions = json(jobs("executions", "run-cli", "--json"));
        assertThat(executions).hasSize(1);
        assertThat(executions.get(0).path("output").asText()).isEqualTo("first line\nsecond line\n");
        assertThat(executions.get(0).path("group").asLong()).isEqualTo(runId);

        JsonNode job = json(jobs("run", "run-cli", "--json"));
        assertThat(job.path("name").asText()).isEqualTo("run-cli");
    }

    @Test
    void missesShowsTheSkippedInstantsOfAForbidJob() throws Exception {
        api.putJob("""
                {"name":"misses-cli","schedule":"* * * * * *","concurrency":"forbid","executor":"shell",
                 "executor_config":{"command":"sleep 1.5"}}""");
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> api.job("misses-cli").path("skipped_count").asLong() >= 1);
        } finally {
            api.post("/v1/jobs/misses-cli/toggle", "");
        }
        Run table = jobs("misses", "misses-cli");
        assertThat(table.exit()).as(table.toString()).isZero();
        String[] lines = table.out().split("\n");
        assertThat(lines[0]).matches("From +To +Count +Kind +Blocked by +Reason");
        assertThat(lines[1]).matches("\\S+Z +\\S+Z +\\d+ +skipped +\\d+ +.*forbid.*");

        JsonNode misses = json(jobs("misses", "misses-cli", "--json"));
        assertThat(misses.get(0).path("kind").asText()).isEqualTo("skipped");
        assertThat(misses.get(0).path("job_name").asText()).isEqualTo("misses-cli");
    }

    @Test
    void leaderNamesTheLeadingServer() throws Exception {
        Run r = hibachi(Map.of("HIBACHI_HTTP_ADDR", agent.base().toString()), "leader");
        assertThat(r.exit()).as(r.toString()).isZero();
        String[] lines = r.out().split("\n");
        assertThat(lines[0]).matches("Name +Address +Raft +HTTP");
        assertThat(lines[1]).matches("node-1 +127\\.0\\.0\\.1:" + agent.gossipPort() + " +127\\.0\\.0\\.1:"
                + agent.rpcPort() + " +127\\.0\\.0\\.1:" + agent.httpPort());

        JsonNode leader = json(hibachi(Map.of("HIBACHI_HTTP_ADDR", agent.base().toString()), "leader", "--json"));
        assertThat(leader.path("Name").asText()).isEqualTo("node-1");
        assertThat(leader.path("raft_role").asText()).isEqualTo("leader");
    }

    @Test
    void theVariableNamesTheAgentAndTheOldNameStillWorks() throws Exception {
        api.putJob(JobsApiTest.manualJob("variable-cli", "true"));
        Run viaNew = hibachi(Map.of("HIBACHI_HTTP_ADDR", agent.base().toString()), "jobs", "list", "--json");
        assertThat(names(json(viaNew))).contains("variable-cli");
        Run viaOld = hibachi(Map.of("HIBACHI_ADDR", "127.0.0.1:" + agent.httpPort()), "jobs", "get", "variable-cli");
        assertThat(viaOld.exit()).as(viaOld.toString()).isZero();
        // The flag beats the variable.
        Run flag = hibachi(Map.of("HIBACHI_HTTP_ADDR", "127.0.0.1:1"), "jobs", "get", "variable-cli", "--address",
                agent.base().toString());
        assertThat(flag.exit()).as(flag.toString()).isZero();
    }

    @Test
    void jsonOfTheClusterCommandsParses() throws Exception {
        assertThat(json(hibachi("members", "--json", "--address", agent.base().toString())).get(0).path("Name")
                .asText()).isEqualTo("node-1");
        assertThat(json(hibachi("raft", "list-peers", "--json", "--address", agent.base().toString())).get(0)
                .path("leader").asBoolean()).isTrue();
    }

    // ----- jobs run --wait: the server side (POST /v1/jobs/{name}/run?wait=) is the lead's, built in main. -----

    /** Whether the agent serves {@code POST /v1/jobs/{name}/run?wait=}: an unknown job is then "not found". */
    private static boolean runWaitIsServed() {
        Api.Response probe = api.post("/v1/jobs/no-such-job-probe/run?wait=1s", "");
        return probe.json().path("error").asText().contains("no-such-job-probe");
    }

    @Test
    void runWaitExitsZeroWhenTheRunSucceedsAndPrintsEachExecution() throws Exception {
        assumeThat(runWaitIsServed()).as("POST /v1/jobs/{name}/run?wait= is served (after the merge with main)").isTrue();
        api.putJob(JobsApiTest.manualJob("wait-ok", "echo all good"));
        Run r = jobs("run", "wait-ok", "--wait=30s");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).matches("(?s)Run \\d+: success \\(1 execution\\)\nnode-1  attempt 1  success, exit 0\n"
                + "    all good\n");
        assertThat(r.err()).isEmpty();

        JsonNode executions = json(jobs("run", "wait-ok", "--wait", "--json"));
        assertThat(executions).hasSize(1);
        assertThat(executions.get(0).path("output").asText()).isEqualTo("all good\n");
    }

    @Test
    void runWaitExitsOneNamingTheNodeWhenTheRunFails() {
        assumeThat(runWaitIsServed()).as("POST /v1/jobs/{name}/run?wait= is served (after the merge with main)").isTrue();
        api.putJob("""
                {"name":"wait-fails","schedule":"@manually","executor":"shell",
                 "executor_config":{"command":"echo broken; exit 3","shell":"true"}}""");
        Run r = jobs("run", "wait-fails", "--wait=30s");
        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        assertThat(r.out()).contains("node-1  attempt 1  failed, exit 3", "    broken");
        assertThat(r.err().strip()).matches("Error: run \\d+ of job wait-fails failed on node-1 \\(exit 3\\)");
    }

    @Test
    void runWaitExitsOneWhenTheWaitRunsOut() {
        assumeThat(runWaitIsServed()).as("POST /v1/jobs/{name}/run?wait= is served (after the merge with main)").isTrue();
        api.putJob(JobsApiTest.manualJob("wait-slow", "sleep 20"));
        Run r = jobs("run", "wait-slow", "--wait=1s");
        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        assertThat(r.out()).startsWith("Run ").contains(": running");
        assertThat(r.err().strip()).matches("Error: run \\d+ of job wait-slow is still running after 1s; follow it with"
                + " hibachi jobs executions wait-slow");
    }

    static String line(String[] lines, String first) {
        for (String l : lines) {
            if (l.startsWith(first + " ")) {
                return l;
            }
        }
        throw new AssertionError("no line starts with " + first + " in:\n" + String.join("\n", lines));
    }

    static List<String> names(JsonNode jobs) {
        List<String> names = new ArrayList<>();
        jobs.forEach(j -> names.add(j.path("name").asText()));
        return names;
    }

    @Test
    void logsFollowsARunningExecutionToItsEndAndExitsWithItsStatus(@TempDir Path tmp) throws Exception {
        Path gate = tmp.resolve("gate");
        api.putJob("""
                {"name":"logs-cli","schedule":"@manually","executor":"shell",
                 "executor_config":{"shell":"true",
                   "command":"echo first; while [ ! -f '%s' ]; do sleep 0.05; done; echo second; exit 3"}}"""
                .formatted(gate));
        assertThat(api.post("/v1/jobs/logs-cli/run", "").status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(20)).until(() -> api.get("/v1/busy").list().stream()
                .anyMatch(e -> e.path("job_name").asText().equals("logs-cli")
                        && e.path("output").asText().equals("first\n")));

        Run now = jobs("logs", "logs-cli");
        assertThat(now.exit()).as(now.toString()).isZero();
        assertThat(now.out()).isEqualTo("first\n");

        java.util.concurrent.CompletableFuture<Run> following =
                java.util.concurrent.CompletableFuture.supplyAsync(() -> jobs("logs", "-f", "logs-cli"));
        Files.writeString(gate, "go");
        Run followed = following.get(30, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(followed.exit()).as(followed.toString()).isEqualTo(1);
        assertThat(followed.out()).isEqualTo("first\nsecond\n");
        assertThat(followed.err()).contains("failed, exit code 3");

        Run unknown = jobs("logs", "no-such-job-here");
        assertThat(unknown.exit()).isEqualTo(1);
        assertThat(unknown.err()).contains("no-such-job-here");
    }
}
