package dev.hibachi.api;

import dev.hibachi.agent.metrics.MetricsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * {@code GET /metrics} on a real agent started with {@code --enable-prometheus}: after a job ran, the scrape parses
 * as the Prometheus text format (strictly) and holds the {@code hibachi_*} meters with their tags and the JVM's;
 * an agent without the flag answers 404.
 */
class MetricsApiTest {
    private static final String JOB = """
            {"name":"%s","schedule":"@manually","executor":"shell","executor_config":{"command":"%s"}}""";

    @RegisterExtension
    static final AgentPerClass agent = AgentPerClass.server(c -> c.withMetrics(MetricsConfig.NONE.withPrometheus(true)));
    static final Api api = agent.api();

    @Test
    void theScrapeIsPrometheusTextWithTheAgentsMetersAndTheJvms() {
        api.putJob(JOB.formatted("prom-ok", "echo hi"));
        api.putJob(JOB.formatted("prom-bad", "exit 3"));
        assertThat(api.post("/v1/jobs/prom-ok/run?wait=20s", "").status()).isEqualTo(200);
        assertThat(api.post("/v1/jobs/prom-bad/run?wait=20s", "").status()).isEqualTo(200);

        Api.Response r = api.get("/metrics");
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.header("Content-Type")).startsWith("text/plain").contains("version=0.0.4");
        Map<String, PrometheusText.Family> families = PrometheusText.parse(r.body());

        assertThat(value(families, "hibachi_executions_started_total", "counter",
                Map.of("job", "prom-ok", "node", "node-1"))).isEqualTo(1);
        assertThat(value(families, "hibachi_executions_finished_total", "counter",
                Map.of("job", "prom-ok", "node", "node-1", "status", "succeeded"))).isEqualTo(1);
        assertThat(value(families, "hibachi_executions_finished_total", "counter",
                Map.of("job", "prom-bad", "node", "node-1", "status", "failed"))).isEqualTo(1);
        PrometheusText.Family duration = family(families, "hibachi_execution_duration_seconds", "summary");
        assertThat(duration.samples()).anySatisfy(s -> {
            assertThat(s.name()).isEqualTo("hibachi_execution_duration_seconds_count");
            assertThat(s.labels()).containsEntry("job", "prom-ok").containsEntry("status", "succeeded");
            assertThat(s.value()).isEqualTo(1);
        });
        // The key figure: a histogram, so Prometheus can compute quantiles across servers.
        PrometheusText.Family lateness = family(families, "hibachi_dispatch_lateness_seconds", "histogram");
        assertThat(lateness.samples()).anySatisfy(s -> {
            assertThat(s.name()).isEqualTo("hibachi_dispatch_lateness_seconds_count");
            assertThat(s.labels()).isEqualTo(Map.of("node", "node-1"));
            assertThat(s.value()).isGreaterThanOrEqualTo(2);
        });
        assertThat(lateness.samples().stream().filter(s -> s.name().endsWith("_bucket")).count())
                .isBetween(10L, 120L);
        family(families, "hibachi_raft_commit_seconds", "summary");
        assertThat(value(families, "hibachi_leader_changes_total", "counter", Map.of("node", "node-1"))).isEqualTo(1);
        assertThat(value(families, "hibachi_leader", "gauge", Map.of("node", "node-1"))).isEqualTo(1);
        assertThat(value(families, "hibachi_members", "gauge", Map.of("node", "node-1", "status", "alive")))
                .isEqualTo(1);
        assertThat(value(families, "hibachi_executions_running", "gauge", Map.of("node", "node-1"))).isZero();
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            Map<String, PrometheusText.Family> now = PrometheusText.parse(api.get("/metrics").body());
            assertThat(value(now, "hibachi_jobs", "gauge", Map.of("node", "node-1", "status", "success")))
                    .isEqualTo(1);
            assertThat(value(now, "hibachi_jobs", "gauge", Map.of("node", "node-1", "status", "failed")))
                    .isEqualTo(1);
        });
        for (String jvm : List.of("jvm_memory_used_bytes", "jvm_threads_live_threads", "jvm_classes_loaded_classes",
                "process_uptime_seconds", "process_files_open_files", "system_cpu_count")) {
            family(families, jvm, "gauge");
        }
        assertThat(families.keySet()).noneMatch(name -> name.contains("run_id") || name.contains("execution_id"));
    }

    @Test
    void withoutTheFlagThereIsNoMetricsRoute(@TempDir Path other) throws Exception {
        try (TestAgent plain = TestAgent.start(other)) {
            Api.Response r = plain.api().get("/metrics");
            assertThat(r.status()).isEqualTo(404);
            assertThat(r.json().path("error").asText()).contains("--enable-prometheus");
        }
    }

    @Test
    void theParserRefusesWhatIsNotTheTextFormat() {
        assertThatThrownBy(() -> PrometheusText.parse("# TYPE a counter\na{b=\"c\"} x\n"))
                .hasMessageContaining("bad value");
        assertThatThrownBy(() -> PrometheusText.parse("a 1\n")).hasMessageContaining("outside its family");
        assertThatThrownBy(() -> PrometheusText.parse("# TYPE a gauge\na{b=c} 1\n"))
                .hasMessageContaining("no quoted value");
        assertThatThrownBy(() -> PrometheusText.parse("# TYPE h histogram\nh_bucket{le=\"1\"} 2\n"
                + "h_bucket{le=\"+Inf\"} 1\nh_count 1\nh_sum 1\n")).hasMessageContaining("below the one before");
    }

    private static PrometheusText.Family family(Map<String, PrometheusText.Family> families, String name,
                                                String type) {
        assertThat(families).as("families").containsKey(name);
        assertThat(families.get(name).type()).as(name).isEqualTo(type);
        return families.get(name);
    }

    private static double value(Map<String, PrometheusText.Family> families, String name, String type,
                                Map<String, String> labels) {
        return family(families, name, type).samples().stream().filter(s -> s.labels().equals(labels))
                .findFirst().orElseThrow(() -> new AssertionError(name + labels + " not in "
                        + families.get(name).samples())).value();
    }
}
