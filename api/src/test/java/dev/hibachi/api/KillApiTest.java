package dev.hibachi.api;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Killing a running execution through HTTP on a real agent, real processes included: the process group is
 * really gone afterwards (both the shell and its background child, checked by pid), and the execution is
 * recorded failed, {@code killed}, with who asked. The agent's kill grace is 1 s, so a process that ignores
 * TERM is KILLed quickly.
 */
class KillApiTest {
    private static final Duration KILL_GRACE = Duration.ofSeconds(1);

    @RegisterExtension
    static final AgentPerClass agent = AgentPerClass.server(c -> c.withKillGrace(KILL_GRACE));
    static final Api api = agent.api();
    @TempDir
    static Path pidDir;

    /** Pids the test started through jobs: any still alive after a test is killed, so none outlives the run. */
    private final List<Long> pids = new ArrayList<>();

    @AfterEach
    void noStragglers() {
        pids.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
    }

    /**
     * A shell job whose shell writes its own pid and its background child's pid to a file, then waits for the
     * child (300 s: only a kill ends it). {@code prelude} runs first (e.g. a trap).
     */
    private static String waitingJob(String name, String prelude, String extra) {
        Path pidFile = pidDir.resolve(name + ".pids");
        String command = prelude + "sleep 300 & echo $$ $! > '" + pidFile + ".tmp' && mv '" + pidFile + ".tmp' '"
                + pidFile + "'; wait";
        return "{\"name\":\"" + name + "\",\"schedule\":\"@manually\",\"executor\":\"shell\",\"executor_config\":"
                + "{\"command\":" + Api.JSON.valueToTree(command) + ",\"shell\":\"true\"}" + extra + "}";
    }

    /** A run started now, running, with both of its pids known. */
    private record Running(String job, long runId, String executionId, long shellPid, long childPid) {
    }

    private Running runUntilRunning(String job) throws IOException {
        Api.Response run = api.post("/v1/jobs/" + job, "");
        assertThat(run.status()).as(run.toString()).isEqualTo(200);
        long runId = Long.parseLong(run.header("X-Hibachi-Run-Id"));
        String id = runId + "-1-node-1";
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() ->
                "running".equals(api.get("/v1/jobs/" + job + "/executions/" + id).json().path("status").asText()));
        Path pidFile = pidDir.resolve(job + ".pids");
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> Files.exists(pidFile));
        String[] both = Files.readString(pidFile).trim().split("\\s+");
        assertThat(both).hasSize(2);
        long shell = Long.parseLong(both[0]);
        long child = Long.parseLong(both[1]);
        pids.add(shell);
        pids.add(child);
        assertThat(alive(shell)).as("the shell, pid " + shell).isTrue();
        assertThat(alive(child)).as("its background child, pid " + child).isTrue();
        return new Running(job, runId, id, shell, child);
    }

    /**
     * Whether {@code pid} runs. A zombie does not: the killed background child is an orphan, and the init of some
     * containers never reaps orphans (ProcessHandle reports such a zombie as alive).
     */
    private static boolean alive(long pid) {
        if (ProcessHandle.of(pid).filter(ProcessHandle::isAlive).isEmpty()) {
            return false;
        }
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
        } catch (IOException e) {
            return false; // gone meanwhile
        }
    }

    private static Api.Response kill(String job, String id, String body) {
        return api.post("/v1/jobs/" + job + "/executions/" + id + "/kill", body);
    }

    private static JsonNode awaitFinished(String job, String id) {
        AtomicReference<JsonNode> found = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100)).until(() -> {
            JsonNode e = api.get("/v1/jobs/" + job + "/executions/" + id).json();
            found.set(e);
            return !e.path("finished_at").asText("0001-01-01").startsWith("0001-01-01");
        });
        return found.get();
    }

    @Test
    void aKilledExecutionsProcessGroupIsGoneAndItIsRecordedAsKilledByWhoAsked() throws IOException {
        api.putJob(waitingJob("sleepy", "", ""));
        Running r = runUntilRunning("sleepy");

        Api.Response answer = kill("sleepy", r.executionId(), "{\"by\":\"alice\"}");
        assertThat(answer.status()).as(answer.toString()).isEqualTo(202);
        assertThat(answer.header("Content-Type")).startsWith("application/json");
        assertThat(answer.json().path("job_name").asText()).isEqualTo("sleepy");
        assertThat(answer.json().path("execution_id").asText()).isEqualTo(r.executionId());
        assertThat(answer.json().path("outcome").asText()).isEqualTo("kill requested");
        assertThat(answer.json().path("requested_by").asText()).isEqualTo("alice");

        JsonNode e = awaitFinished("sleepy", r.executionId());
        assertThat(e.path("success").asBoolean()).isFalse();
        assertThat(e.path("status").asText()).isEqualTo("killed");
        assertThat(e.path("killed_by").asText()).isEqualTo("alice");
        assertThat(e.path("output").asText()).contains("[hibachi: job killed: killed at the request of alice]");
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(alive(r.shellPid())).as("the shell, pid " + r.shellPid()).isFalse();
            assertThat(alive(r.childPid())).as("its background child, pid " + r.childPid()).isFalse();
        });
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(api.job("sleepy").path("status").asText()).isEqualTo("failed"));

        Api.Response again = kill("sleepy", r.executionId(), "{\"by\":\"bob\"}");
        assertThat(again.status()).as(again.toString()).isEqualTo(409);
        assertThat(again.json().path("error").asText()).contains(r.executionId()).contains("already finished");
        assertThat(api.get("/v1/jobs/sleepy/executions/" + r.executionId()).json().path("killed_by").asText())
                .isEqualTo("alice");
    }

    @Test
    void aProcessThatIgnoresTermIsKilledAfterTheGrace() throws IOException {
        api.putJob(waitingJob("stubborn", "trap '' TERM; ", ""));
        Running r = runUntilRunning("stubborn");

        Instant asked = Instant.now();
        Api.Response answer = kill("stubborn", r.executionId(), "{\"by\":\"bob\"}");
        assertThat(answer.status()).as(answer.toString()).isEqualTo(202);
        // TERM is ignored: both still run a while after it was sent.
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(1))
                .until(() -> alive(r.shellPid()) && alive(r.childPid()));

        JsonNode e = awaitFinished("stubborn", r.executionId());
        assertThat(Instant.parse(e.path("finished_at").asText())).isAfterOrEqualTo(asked.plus(KILL_GRACE));
        assertThat(e.path("status").asText()).isEqualTo("killed");
        assertThat(e.path("killed_by").asText()).isEqualTo("bob");
        assertThat(e.path("output").asText()).contains("[hibachi: job killed: killed at the request of bob]");
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(alive(r.shellPid())).as("the shell, pid " + r.shellPid()).isFalse();
            assertThat(alive(r.childPid())).as("its background child, pid " + r.childPid()).isFalse();
        });
    }

    @Test
    void aKilledExecutionIsNotRetriedAndWithoutABodyTheAskerIsTheClientsAddress() throws IOException {
        api.putJob(waitingJob("retried", "", ",\"retries\":2"));
        Running r = runUntilRunning("retried");

        Api.Response answer = kill("retried", r.executionId(), "");
        assertThat(answer.status()).as(answer.toString()).isEqualTo(202);
        assertThat(answer.json().path("requested_by").asText()).isEqualTo("api client 127.0.0.1");

        JsonNode e = awaitFinished("retried", r.executionId());
        assertThat(e.path("status").asText()).isEqualTo("killed");
        assertThat(e.path("killed_by").asText()).isEqualTo("api client 127.0.0.1");
        // A failure would be retried within about a second (Dkron's pacing); a kill never is.
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(() ->
                api.executions("retried").stream().filter(x -> x.path("group").asLong() == r.runId())
                        .allMatch(x -> x.path("attempt").asInt() == 1));
        assertThat(api.executions("retried")).hasSize(1);
    }

    @Test
    void unknownOrMalformedExecutionIdsAre404() {
        api.putJob(JobsApiTest.manualJob("idle", "true"));
        Api.Response unknown = kill("idle", "999-1-node-1", "{\"by\":\"alice\"}");
        assertThat(unknown.status()).as(unknown.toString()).isEqualTo(404);
        assertThat(unknown.json().path("error").asText()).isEqualTo("execution 999-1-node-1 of job idle not found");

        Api.Response malformed = kill("idle", "not-an-id", "");
        assertThat(malformed.status()).as(malformed.toString()).isEqualTo(404);
        assertThat(malformed.json().path("error").asText()).isEqualTo("execution not-an-id of job idle not found");

        Api.Response noJob = kill("no-such-job", "999-1-node-1", "");
        assertThat(noJob.status()).as(noJob.toString()).isEqualTo(404);
        assertThat(noJob.header("Content-Type")).startsWith("application/json");
    }

    @Test
    void aBodyOtherThanByIsRefusedNamingTheProblem() {
        Api.Response typo = kill("idle", "999-1-node-1", "{\"who\":\"alice\"}");
        assertThat(typo.status()).as(typo.toString()).isEqualTo(400);
        assertThat(typo.json().path("error").asText()).contains("unknown field \"who\"");
        assertThat(typo.json().path("field").asText()).isEqualTo("who");

        Api.Response notAString = kill("idle", "999-1-node-1", "{\"by\":42}");
        assertThat(notAString.status()).as(notAString.toString()).isEqualTo(400);
        assertThat(notAString.json().path("field").asText()).isEqualTo("by");

        Api.Response notAnObject = kill("idle", "999-1-node-1", "[\"alice\"]");
        assertThat(notAnObject.status()).as(notAnObject.toString()).isEqualTo(400);
        assertThat(notAnObject.json().path("error").asText()).contains("expected a JSON object");

        Api.Response broken = kill("idle", "999-1-node-1", "{\"by\":");
        assertThat(broken.status()).as(broken.toString()).isEqualTo(400);
        assertThat(broken.json().path("error").asText()).startsWith("invalid JSON");
    }
}
