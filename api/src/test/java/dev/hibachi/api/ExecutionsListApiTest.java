package dev.hibachi.api;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code GET /v1/jobs/{name}/executions} on a real agent: Dkron's sorts and order, Hibachi's slice, the total of
 * all the job's executions, output cut to {@code output_size_limit}, and a 400 naming each bad parameter.
 */
class ExecutionsListApiTest {
    @RegisterExtension
    static final AgentPerClass agent = AgentPerClass.server();
    static final Api api = agent.api();
    /** The ids of the four runs of "runs", oldest first. */
    static final List<String> RUNS = new ArrayList<>();

    @BeforeAll
    static void runJobs() {
        api.putJob("""
                {"name":"runs","schedule":"@manually","executor":"shell",
                 "executor_config":{"command":"echo run-output"}}""");
        for (int i = 0; i < 4; i++) {
            String runId = api.post("/v1/jobs/runs", "").header("X-Hibachi-Run-Id");
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() ->
                    api.executions("runs").stream().anyMatch(e -> e.path("group").asText().equals(runId)
                            && !e.path("finished_at").asText().startsWith("0001")));
            RUNS.add(api.executions("runs").stream().filter(e -> e.path("group").asText().equals(runId))
                    .findFirst().orElseThrow().path("id").asText());
        }
        api.putJob("""
                {"name":"retried","schedule":"@manually","retries":2,"executor":"shell",
                 "executor_config":{"command":"false"},"retry_backoff":{"initial":"50ms","multiplier":1}}""");
        api.post("/v1/jobs/retried", "");
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).until(() ->
                api.job("retried").path("error_count").asLong() == 3);
    }

    @Test
    void newestStartFirstByDefaultWithTheTotal() {
        Api.Response r = list("runs", "");
        assertThat(ids(r)).containsExactly(RUNS.get(3), RUNS.get(2), RUNS.get(1), RUNS.get(0));
        assertThat(r.header("X-Total-Count")).isEqualTo("4");
        assertThat(r.list()).allSatisfy(e -> assertThat(e.path("output").asText()).isEqualTo("run-output\n"));
        assertThat(ids(list("runs", "?_sort=id"))).as("id is started_at").isEqualTo(ids(r));
        assertThat(ids(list("runs", "?_sort=started_at&_order=DESC"))).isEqualTo(ids(r));
    }

    @Test
    void ascendingAndTheOtherSorts() {
        assertThat(ids(list("runs", "?_order=asc"))).isEqualTo(RUNS);
        assertThat(ids(list("runs", "?_sort=finished_at&_order=ASC"))).isEqualTo(RUNS);
        List<JsonNode> byAttempt = list("retried", "?_sort=attempt&_order=DESC").list();
        assertThat(byAttempt).extracting(e -> e.path("attempt").asInt()).containsExactly(3, 2, 1);
        List<JsonNode> byStart = list("retried", "?_order=ASC").list();
        assertThat(byStart).extracting(e -> Instant.parse(e.path("started_at").asText()))
                .isSortedAccordingTo(Comparator.naturalOrder());
        assertThat(byStart).extracting(e -> e.path("attempt").asInt()).containsExactly(1, 2, 3);
    }

    @Test
    void theSliceIsHibachisAdditionAndTheTotalCountsEveryExecution() {
        Api.Response page = list("runs", "?_start=1&_end=3");
        assertThat(ids(page)).containsExactly(RUNS.get(2), RUNS.get(1));
        assertThat(page.header("X-Total-Count")).isEqualTo("4");
        assertThat(ids(list("runs", "?_start=3"))).containsExactly(RUNS.get(0));
        assertThat(ids(list("runs", "?_end=1&_order=asc"))).containsExactly(RUNS.get(0));
        Api.Response past = list("runs", "?_start=10&_end=20");
        assertThat(past.list()).isEmpty();
        assertThat(past.header("X-Total-Count")).isEqualTo("4");
    }

    @Test
    void outputSizeLimitKeepsTheLastBytesAndSaysSo() {
        Api.Response r = list("runs", "?output_size_limit=7&_end=2");
        assertThat(r.list()).hasSize(2).allSatisfy(e -> {
            assertThat(e.path("output").asText()).isEqualTo("output\n");
            assertThat(e.path("output_truncated").asBoolean()).isTrue();
        });
    }

    @Test
    void anUnknownJobIsStill404() {
        Api.Response r = list("nope", "?_start=0&_end=10");
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.json().path("error").asText()).contains("nope");
    }

    @ParameterizedTest(name = "{0} -> 400 naming {1}")
    @CsvSource(delimiter = '|', value = {
            "_sort=name|_sort|_sort must be one of id, started_at, finished_at, attempt (got \"name\")",
            "_order=newest|_order|_order must be ASC or DESC",
            "_start=-3|_start|_start must be a whole number, 0 or more",
            "_end=ten|_end|_end must be a whole number",
            "output_size_limit=-1|output_size_limit|output_size_limit must be a whole number",
    })
    void aValueThatCannotMeanAnythingIs400NamingItsParameter(String query, String field, String message) {
        Api.Response r = list("runs", "?" + query);
        assertThat(r.status()).as(r.toString()).isEqualTo(400);
        assertThat(r.header("Content-Type")).startsWith("application/json");
        assertThat(r.json().path("field").asText()).isEqualTo(field);
        assertThat(r.json().path("error").asText()).contains(message);
    }

    static Api.Response list(String job, String query) {
        return api.get("/v1/jobs/" + job + "/executions" + query);
    }

    static List<String> ids(Api.Response r) {
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.list().stream().map(e -> e.path("id").asText()).toList();
    }
}
