package dev.hibachi.agent.metrics;

import dev.hibachi.agent.dispatch.RunOrder;
import dev.hibachi.store.model.Job;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The binding's own rules, read back through a real Prometheus registry's scrape. */
class MicrometerMetricsTest {

    private static RunOrder.Attempt attempt(String job, Instant due) {
        return new RunOrder.Attempt(Job.of(job, "@manually", "shell", Map.of("command", "true")), 1, 1, "i", due, due);
    }

    @Test
    void jobTagsStopGrowingAtTheCapAndLaterJobsCountAsOther() {
        try (Metrics metrics = MicrometerMetrics.of(MetricsConfig.NONE.withPrometheus(true), "n1")) {
            int jobs = MicrometerMetrics.MAX_JOB_TAGS + 500;
            Instant now = Instant.now();
            for (int i = 0; i < jobs; i++) {
                metrics.spawning(attempt("ephemeral-" + i, now), now);
            }
            String scrape = MicrometerMetrics.scrape(metrics).orElseThrow();
            long series = scrape.lines().filter(l -> l.startsWith("hibachi_executions_started_total{")).count();
            assertThat(series).isEqualTo(MicrometerMetrics.MAX_JOB_TAGS + 1);
            assertThat(sample(scrape, "hibachi_executions_started_total\\{job=\"_other\",node=\"n1\"}"))
                    .isEqualTo(500);
            // A job already tagged keeps its tag after the cap is reached.
            metrics.spawning(attempt("ephemeral-0", now), now);
            assertThat(sample(MicrometerMetrics.scrape(metrics).orElseThrow(),
                    "hibachi_executions_started_total\\{job=\"ephemeral-0\",node=\"n1\"}")).isEqualTo(2);
        }
    }

    @Test
    void aStartBeforeItsInstantIsOnTimeAndOnlyWhatRanIsTimed() {
        try (Metrics metrics = MicrometerMetrics.of(MetricsConfig.NONE.withPrometheus(true), "n1")) {
            Instant due = Instant.parse("2026-01-01T00:00:10Z");
            metrics.spawning(attempt("early", due), due.minusMillis(300)); // member's clock behind the leader's
            metrics.spawning(attempt("late", due), due.plusMillis(1500));
            metrics.finished(attempt("never-ran", due), due, due, false, false);
            String scrape = MicrometerMetrics.scrape(metrics).orElseThrow();

            assertThat(sample(scrape, "hibachi_dispatch_lateness_seconds_count\\{node=\"n1\"}")).isEqualTo(2);
            assertThat(sample(scrape, "hibachi_dispatch_lateness_seconds_sum\\{node=\"n1\"}")).isEqualTo(1.5);
            assertThat(sample(scrape, "hibachi_executions_finished_total\\{job=\"never-ran\",node=\"n1\","
                    + "status=\"failed\"}")).isEqualTo(1);
            assertThat(scrape).doesNotContain("hibachi_execution_duration_seconds_count{job=\"never-ran\"");
        }
    }

    @Test
    void noFlagMeansNothingIsMeasured() {
        assertThat(MicrometerMetrics.of(MetricsConfig.NONE, "n1")).isSameAs(Metrics.NONE);
        assertThat(MicrometerMetrics.scrape(Metrics.NONE)).isEmpty();
    }

    private static double sample(String scrape, String series) {
        Matcher m = Pattern.compile("(?m)^" + series + " (\\S+)$").matcher(scrape);
        assertThat(m.find()).as(series).isTrue();
        return Double.parseDouble(m.group(1));
    }
}
