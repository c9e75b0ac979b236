package dev.hibachi.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hibachi.api.ledger.RunLedger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The job semantics on a real agent, through HTTP: forbid against ticks a second apart, ephemeral deletion,
 * {@code @after}, retries with their pacing, children, the overdue flag, and the misses list with its counters.
 */
@Timeout(180)
class JobSemanticsApiTest {
    @RegisterExtension
    static final AgentPerClass agent = AgentPerClass.server();
    static final Api api = agent.api();

    static Instant time(JsonNode node, String field) {
        return Instant.parse(node.path(field).asText());
    }

    static boolean finished(JsonNode execution) {
        return !execution.path("finished_at").asText().startsWith("0001-01-01");
    }

    @Test
    void forbidAgainstTicksASecondApartNeverOverlapsAndRecordsEverySkippedTick() {
        Instant created = Instant.now();
        assertThat(api.post("/v1/jobs", """
                {"name":"forbid-ticks","schedule":"* * * * * *","concurrency":"forbid","executor":"shell",
                 "executor_config":{"command":"sleep 1.5"}}""").status()).isEqualTo(201);

        await().atMost(Duration.ofSeconds(30)).until(() -> api.job("forbid-ticks").path("skipped_count").asLong() >= 3
                && api.executions("forbid-ticks").stream().filter(JobSemanticsApiTest::finished).count() >= 3);
        // A manual run while a run is open is refused with the reason (Dkron #338).
        await().atMost(Duration.ofSeconds(10)).until(() -> api.executions("forbid-ticks").stream()
                .anyMatch(e -> !finished(e)));
        Api.Response manual = api.post("/v1/jobs/forbid-ticks", "");
        assertThat(manual.status()).as(manual.toString()).isEqualTo(409);
        assertThat(manual.json().path("error").asText()).contains("forbid");

        Instant to = Instant.now().minusSeconds(2).truncatedTo(ChronoUnit.SECONDS);
        RunLedger.Report report = RunLedger.over(agent.base()).withSettle(Duration.ofSeconds(15))
                .check(List.of("forbid-ticks"), created.plusSeconds(1), to).assertClean();
        assertThat(report.missed()).as("ticks recorded as skipped").isNotEmpty();

        List<JsonNode> runs = api.executions("forbid-ticks").stream().filter(JobSemanticsApiTest::finished)
                .sorted(Comparator.comparing(e -> time(e, "started_at"))).toList();
        for (int i = 1; i < runs.size(); i++) {
            assertThat(time(runs.get(i), "started_at")).as("run %s starts after run %s ended",
                    runs.get(i).path("id").asText(), runs.get(i - 1).path("id").asText())
                    .isAfterOrEqualTo(time(runs.get(i - 1), "finished_at"));
        }
        List<JsonNode> misses = api.get("/v1/jobs/forbid-ticks/misses").list();
        assertThat(misses).isNotEmpty().allSatisfy(m -> {
            assertThat(m.path("kind").asText()).isEqualTo("skipped");
            assertThat(m.path("blocked_by").asLong()).isPositive();
            assertThat(m.path("reason").asText()).contains("forbid");
        });
        assertThat(api.job("forbid-ticks").path("skipped_count").asLong())
                .isGreaterThanOrEqualTo(misses.stream().mapToLong(m -> m.path("count").asLong()).sum());
        api.delete("/v1/jobs/forbid-ticks");
    }

    @Test
    void anEphemeralJobIsDeletedOnceAfterItsFirstSuccessAndAJobOfTheSameNameMadeAfterStays() {
        assertThat(api.post("/v1/jobs", """
                {"name":"ephemeral-once","schedule":"@every 1s","ephemeral":true,"executor":"shell",
                 "executor_config":{"command":"true"}}""").status()).isEqualTo(201);
        await().atMost(Duration.ofSeconds(15)).until(() -> api.get("/v1/jobs/ephemeral-once").status() == 404);

        assertThat(api.post("/v1/jobs", """
                {"name":"ephemeral-once","schedule":"@every 1h","executor":"shell",
                 "executor_config":{"command":"true"}}""").status()).isEqualTo(201);
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5))
                .until(() -> api.get("/v1/jobs/ephemeral-once").status() == 200);
        api.delete("/v1/jobs/ephemeral-once");
    }

    @Test
    void afterRunsOnceWhenSetWithinItsGraceAndIsRecordedMissedBeyondIt() {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        api.putJob("""
                {"name":"after-within","schedule":"@after %s <PT1M","executor":"shell","executor_config":{"command":"echo late"}}"""
                .formatted(now.minusSeconds(10)));
        api.putJob("""
                {"name":"after-beyond","schedule":"@after %s <PT1M","executor":"shell","executor_config":{"command":"true"}}"""
                .formatted(now.minusSeconds(300)));

        await().atMost(Duration.ofSeconds(10)).until(() -> api.executions("after-within").stream()
                .anyMatch(e -> e.path("success").asBoolean()));
        await().atMost(Duration.ofSeconds(10)).until(() -> !api.get("/v1/jobs/after-beyond/misses").list().isEmpty());
        JsonNode miss = api.get("/v1/jobs/after-beyond/misses").list().get(0);
        assertThat(miss.path("kind").asText()).isEqualTo("missed");
        assertThat(miss.path("count").asLong()).isEqualTo(1);
        assertThat(miss.path("reason").asText()).contains("1m0s");
        assertThat(api.job("after-beyond").path("missed_count").asLong()).isEqualTo(1);
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4)).until(() ->
                api.executions("after-within").size() == 1 && api.executions("after-beyond").isEmpty());
        api.delete("/v1/jobs/after-within");
        api.delete("/v1/jobs/after-beyond");
    }

    @Test
    void retriesAreOneGroupWithRisingAttemptsPacedByTheJobsBackoff() {
        api.putJob("""
                {"name":"retry-paced","schedule":"@manually","retries":2,"executor":"shell",
                 "executor_config":{"command":"false"},
                 "retry_backoff":{"initial":"700ms","multiplier":2}}""");
        assertThat(api.post("/v1/jobs/retry-paced", "").status()).isEqualTo(200);

        await().atMost(Duration.ofSeconds(20)).until(() -> api.executions("retry-paced").stream()
                .filter(JobSemanticsApiTest::finished).count() == 3);
        List<JsonNode> attempts = api.executions("retry-paced").stream()
                .sorted(Comparator.comparing(e -> e.path("attempt").asInt())).toList();
        assertThat(attempts).extracting(e -> e.path("attempt").asInt()).containsExactly(1, 2, 3);
        assertThat(attempts.stream().map(e -> e.path("group").asLong()).collect(Collectors.toSet())).hasSize(1);
        assertThat(attempts).allSatisfy(e -> assertThat(e.path("success").asBoolean()).isFalse());
        long[] minimumMillis = {700, 1400};
        for (int i = 1; i < 3; i++) {
            Duration gap = Duration.between(time(attempts.get(i - 1), "finished_at"), time(attempts.get(i), "started_at"));
            assertThat(gap.toMillis()).as("wait before attempt %d", i + 1).isGreaterThanOrEqualTo(minimumMillis[i - 1]);
        }
        assertThat(api.job("retry-paced").path("error_count").asLong()).isEqualTo(3);
        assertThat(api.job("retry-paced").path("status").asText()).isEqualTo("failed");
        api.delete("/v1/jobs/retry-paced");
    }

    @Test
    void aChildRunsOnceAfterEachSuccessfulParentRunAndNeverAfterAFailure() {
        api.putJob("""
                {"name":"chain-a","schedule":"@manually","executor":"shell","executor_config":{"command":"true"}}""");
        api.putJob("""
                {"name":"chain-b","parent_job":"chain-a","executor":"shell","executor_config":{"command":"echo b"}}""");
        api.putJob("""
                {"name":"chain-c","parent_job":"chain-b","executor":"shell","executor_config":{"command":"echo c"}}""");
        assertThat(api.job("chain-a").path("dependent_jobs").toString()).contains("chain-b");
        Api.Response cycle = api.post("/v1/jobs", """
                {"name":"chain-a","parent_job":"chain-c","executor":"shell","executor_config":{"command":"true"}}""");
        assertThat(cycle.status()).as(cycle.toString()).isEqualTo(400);
        assertThat(api.post("/v1/jobs", """
                {"name":"orphan","parent_job":"nobody","executor":"shell","executor_config":{"command":"true"}}""")
                .status()).isEqualTo(404);
        Api.Response parentDelete = api.delete("/v1/jobs/chain-a");
        assertThat(parentDelete.status()).as(parentDelete.toString()).isEqualTo(409);

        api.post("/v1/jobs/chain-a", "");
        await().atMost(Duration.ofSeconds(15)).until(() -> api.executions("chain-c").size() == 1
                && finished(api.executions("chain-c").get(0)));
        api.post("/v1/jobs/chain-a", "");
        await().atMost(Duration.ofSeconds(15)).until(() -> api.executions("chain-c").size() == 2
                && api.executions("chain-c").stream().allMatch(JobSemanticsApiTest::finished));

        api.putJob("""
                {"name":"chain-a","schedule":"@manually","executor":"shell","executor_config":{"command":"false"}}""");
        api.post("/v1/jobs/chain-a", "");
        await().atMost(Duration.ofSeconds(10)).until(() -> api.executions("chain-a").size() == 3
                && api.executions("chain-a").stream().allMatch(JobSemanticsApiTest::finished));
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4)).until(() ->
                api.executions("chain-b").size() == 2 && api.executions("chain-c").size() == 2);
        for (String job : List.of("chain-c", "chain-b", "chain-a")) {
            assertThat(api.delete("/v1/jobs/" + job).status()).isEqualTo(200);
        }
    }

    @Test
    void anAttemptRunningPastItsExpectedDurationIsFlaggedWhileItRuns() {
        api.putJob("""
                {"name":"sla","schedule":"@manually","expected_duration":"1s","executor":"shell",
                 "executor_config":{"command":"sleep 4"}}""");
        api.post("/v1/jobs/sla", "");
        await().atMost(Duration.ofSeconds(4)).until(() -> api.executions("sla").stream()
                .anyMatch(e -> e.path("overdue").asBoolean() && !finished(e)));
        await().atMost(Duration.ofSeconds(10)).until(() -> api.executions("sla").stream()
                .allMatch(e -> finished(e) && e.path("overdue").asBoolean() && e.path("success").asBoolean()));
        api.delete("/v1/jobs/sla");
    }

    @Test
    void theAdditionsShowOnTheJobAndBadOnesAreRefusedByName() {
        JsonNode job = api.putJob("""
                {"name":"additions","schedule":"@every 1h","misfire":"run_all","misfire_grace":"5m",
                 "expected_duration":"10m","retry_backoff":{"initial":"5s","max":"1m"},
                 "executor":"shell","executor_config":{"command":"true"}}""");
        assertThat(job.path("misfire").asText()).isEqualTo("run_all");
        assertThat(job.path("misfire_grace").asText()).isEqualTo("5m");
        assertThat(job.path("expected_duration").asText()).isEqualTo("10m");
        assertThat(job.path("retry_backoff").path("initial").asText()).isEqualTo("5s");
        assertThat(job.path("missed_count").asLong()).isZero();
        assertThat(job.path("skipped_count").asLong()).isZero();
        assertThat(api.post("/v1/jobs", """
                {"name":"plain","schedule":"@every 1h","executor":"shell","executor_config":{"command":"true"}}""")
                .json().path("misfire").asText()).isEqualTo("run_once");

        for (String[] bad : List.of(new String[]{"\"misfire\":\"later\"", "misfire"},
                new String[]{"\"misfire_grace\":\"soon\"", "misfire_grace"},
                new String[]{"\"expected_duration\":\"-1s\"", "expected_duration"},
                new String[]{"\"retry_backoff\":{\"initial\":\"1s\",\"multiplier\":50}", "retry_backoff.multiplier"})) {
            Api.Response r = api.post("/v1/jobs", """
                    {"name":"bad-addition","schedule":"@every 1h",%s,"executor":"shell","executor_config":{"command":"true"}}"""
                    .formatted(bad[0]));
            assertThat(r.status()).as(r.toString()).isEqualTo(400);
            assertThat(r.body()).contains(bad[1]);
        }
        assertThat(api.get("/v1/jobs/bad-addition").status()).isEqualTo(404);
        api.delete("/v1/jobs/additions");
        api.delete("/v1/jobs/plain");
    }
}
