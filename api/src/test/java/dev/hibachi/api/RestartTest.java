package dev.hibachi.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hibachi.api.ledger.RunLedger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A graceful restart on the same data dir keeps every job and execution, scheduling resumes, and the
 * instants that fell in the downtime (younger than the misfire grace) each run late, once. The scenario runs
 * once (two restarts cost seconds); each test checks one promise of it.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RestartTest {
    private static final List<String> JOBS = List.of("every-second", "cron-second");

    @TempDir
    static Path dataDir;
    static TestAgent agent;
    static Scenario scenario;

    /** What the scenario saw: the window, the restart, and what the API showed before and after it. */
    record Scenario(Instant from, Instant closing, Instant restarted, Map<String, JsonNode> jobsBefore,
                    Map<String, Set<String>> idsBefore, Map<String, JsonNode> jobsAfter,
                    Map<String, Set<String>> idsAfter) {
    }

    static synchronized Scenario scenario() throws Exception {
        if (scenario != null) {
            return scenario;
        }
        agent = TestAgent.start(dataDir);
        Api api = agent.api();
        api.putJob("""
                {"name":"every-second","schedule":"@every 1s","executor":"shell",
                 "executor_config":{"command":"echo every"}}""");
        api.putJob("""
                {"name":"cron-second","schedule":"* * * * * *","timezone":"UTC","executor":"shell",
                 "executor_config":{"command":"echo cron"}}""");
        Instant from = Instant.now();

        // Let them run for about 3 s.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            for (String job : JOBS) {
                assertThat(finished(api.executions(job))).as(job).hasSizeGreaterThanOrEqualTo(3);
            }
        });
        Map<String, JsonNode> jobsBefore = jobs(api);
        Map<String, Set<String>> idsBefore = ids(api);

        Instant closing = Instant.now();
        agent.restart();
        Instant restarted = Instant.now();
        scenario = new Scenario(from, closing, restarted, jobsBefore, idsBefore, jobs(api), ids(api));
        return scenario;
    }

    @AfterAll
    static void stop() {
        if (agent != null) {
            agent.close();
        }
    }

    @Test
    @Order(1)
    void jobsAndExecutionsSurviveARestartAndNoInstantIsLostOrRunTwice() throws Exception {
        Scenario s = scenario();
        Api api = agent.api();

        // Every job, with its definition and at least its counters, is still there.
        assertThat(s.jobsAfter().keySet()).isEqualTo(s.jobsBefore().keySet());
        for (String job : JOBS) {
            JsonNode before = s.jobsBefore().get(job);
            JsonNode after = s.jobsAfter().get(job);
            for (String field : List.of("schedule", "timezone", "executor", "executor_config", "concurrency")) {
                assertThat(after.get(field)).as(job + "." + field).isEqualTo(before.get(field));
            }
            assertThat(after.path("success_count").asLong()).as(job)
                    .isGreaterThanOrEqualTo(before.path("success_count").asLong());
        }
        // Every execution is still there (and maybe more: the ones that ran during the drain).
        for (String job : JOBS) {
            assertThat(s.idsAfter().get(job)).as(job).containsAll(s.idsBefore().get(job));
        }

        // Scheduling resumes: runs of instants after the restart appear.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            for (String job : JOBS) {
                assertThat(finished(api.executions(job))).as(job).anyMatch(e ->
                        Instant.parse(e.path("scheduled_at").asText()).isAfter(s.restarted().plusSeconds(1)));
            }
        });

        // The whole window: nothing lost (the downtime ran late), nothing twice, nothing stuck.
        RunLedger.Report report = RunLedger.over(agent.base()).withSettle(Duration.ofSeconds(5))
                .check(JOBS, s.from(), Instant.now().minusMillis(500))
                .assertClean();
        assertThat(report.missed()).as("instants younger than the misfire grace are not missed\n" + report).isEmpty();
        assertThat(report.ran()).as("runs in the window\n" + report).hasSizeGreaterThanOrEqualTo(2 * 4);
        assertThat(report.ran()).as("instants of the downtime were run (late)\n" + report)
                .anyMatch(r -> r.at().isAfter(s.closing()) && r.at().isBefore(s.restarted()));
    }

    @Test
    @Order(2)
    void everyInstantOfTheWindowReallyRanNoneWasClosedAsLost() throws Exception {
        Scenario s = scenario();
        Api api = agent.api();
        Instant to = Instant.now().minusMillis(500);
        RunLedger.over(agent.base()).withSettle(Duration.ofSeconds(10)).check(JOBS, s.from(), to).assertClean();
        for (String job : JOBS) {
            List<JsonNode> failed = api.executions(job).stream()
                    .filter(e -> Instant.parse(e.path("scheduled_at").asText()).isBefore(to))
                    .filter(e -> !e.path("success").asBoolean()).toList();
            assertThat(failed).as(job + ": runs of `echo` that failed (restart at " + s.closing() + " – "
                    + s.restarted() + ")").isEmpty();
        }
    }

    private static List<JsonNode> finished(List<JsonNode> executions) {
        return executions.stream()
                .filter(e -> !e.path("finished_at").asText("0001-01-01").startsWith("0001-01-01")).toList();
    }

    private static Map<String, JsonNode> jobs(Api api) {
        Api.Response r = api.get("/v1/jobs");
        assertThat(r.status()).isEqualTo(200);
        return r.list().stream().collect(Collectors.toMap(j -> j.path("name").asText(), j -> j, (a, b) -> a,
                TreeMap::new));
    }

    private static Map<String, Set<String>> ids(Api api) {
        Map<String, Set<String>> out = new TreeMap<>();
        for (String job : JOBS) {
            out.put(job, api.executions(job).stream().map(e -> e.path("id").asText())
                    .collect(Collectors.toCollection(TreeSet::new)));
        }
        return out;
    }
}
