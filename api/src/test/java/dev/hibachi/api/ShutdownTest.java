package dev.hibachi.api;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A graceful stop lets a running job finish within the shutdown grace and records its result; past the grace
 * the job is killed and recorded failed. Either way nothing is left "running" after the restart.
 */
class ShutdownTest {
    @TempDir
    Path dataDir;
    TestAgent agent;

    @AfterEach
    void stop() {
        if (agent != null) {
            agent.close();
        }
    }

    @Test
    void closeWaitsForARunningJobWithinTheGraceAndItsResultIsKept() throws Exception {
        agent = TestAgent.start(dataDir, Duration.ofSeconds(10));
        Api api = agent.api();
        api.putJob("""
                {"name":"slow","schedule":"@manually","executor":"shell",
                 "executor_config":{"command":"sleep 2; echo done","shell":"true"}}""");
        long run = runAndAwaitRunning(api, "slow");

        long t0 = System.nanoTime();
        agent.close();
        Duration closing = Duration.ofNanos(System.nanoTime() - t0);
        Instant closed = Instant.now();
        assertThat(closing).as("close waits for the job, not for the whole grace").isLessThan(Duration.ofSeconds(9));

        agent.restart();
        JsonNode e = execution(agent.api(), "slow", run);
        assertThat(e.path("finished_at").asText("0001-01-01")).as(e.toString()).doesNotStartWith("0001-01-01");
        assertThat(e.path("success").asBoolean()).as(e.toString()).isTrue();
        assertThat(e.path("output").asText()).isEqualTo("done\n");
        assertThat(e.path("status").asText()).isEqualTo("success");
        assertThat(Instant.parse(e.path("finished_at").asText())).as("the job finished before close returned")
                .isBeforeOrEqualTo(closed);
        assertThat(Duration.between(Instant.parse(e.path("started_at").asText()),
                Instant.parse(e.path("finished_at").asText()))).isGreaterThanOrEqualTo(Duration.ofMillis(1900));
    }

    @Test
    void closeKillsAJobThatOutlivesTheGraceAndItIsRecordedFailedNotRunning() throws Exception {
        agent = TestAgent.start(dataDir, Duration.ofSeconds(1));
        Api api = agent.api();
        api.putJob("""
                {"name":"endless","schedule":"@manually","executor":"shell",
                 "executor_config":{"command":"sleep 30","shell":"true"}}""");
        long run = runAndAwaitRunning(api, "endless");

        long t0 = System.nanoTime();
        agent.close();
        Duration closing = Duration.ofNanos(System.nanoTime() - t0);
        assertThat(closing).as("close returns soon after the 1 s grace").isLessThan(Duration.ofSeconds(8));

        agent.restart();
        Api after = agent.api();
        // Settled at once: the result was reported before close returned, or at the latest by the restart.
        AtomicReference<JsonNode> found = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            found.set(execution(after, "endless", run));
            assertThat(found.get().path("finished_at").asText("0001-01-01")).as(found.get().toString())
                    .doesNotStartWith("0001-01-01");
        });
        JsonNode e = found.get();
        assertThat(e.path("success").asBoolean()).as(e.toString()).isFalse();
        assertThat(e.path("status").asText()).as(e.toString()).isEqualTo("failed");
        assertThat(Duration.between(Instant.parse(e.path("started_at").asText()),
                Instant.parse(e.path("finished_at").asText()))).as(e.toString()).isLessThan(Duration.ofSeconds(29));
        assertThat(after.get("/v1/jobs/endless").json().path("error_count").asLong()).isEqualTo(1);
    }

    /** Runs {@code job} now and waits until its execution shows as running; answers the run id. */
    private static long runAndAwaitRunning(Api api, String job) {
        Api.Response r = api.post("/v1/jobs/" + job, "");
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        long run = Long.parseLong(r.header("X-Hibachi-Run-Id"));
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
            JsonNode e = execution(api, job, run);
            // Running: no finish time yet (Go's zero time, or, as the API writes it today, no field at all).
            assertThat(e.path("status").asText()).as(e.toString()).isEqualTo("running");
            assertThat(e.path("finished_at").asText("0001-01-01")).as("running: " + e).startsWith("0001-01-01");
        });
        return run;
    }

    private static JsonNode execution(Api api, String job, long run) {
        return api.executions(job).stream().filter(e -> e.path("group").asLong() == run).findFirst()
                .orElseThrow(() -> new AssertionError("no execution of run " + run + " of " + job));
    }
}
