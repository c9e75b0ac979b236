package dev.hibachi.agent.notify;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The dashboard's path URLs in notices: the failed execution first, then the job, then the dashboard. */
class DashboardLinksTest {
    private final DashboardLinks links = new DashboardLinks("https://host/cron/");

    @Test
    void aRunLinksItsFirstFailedExecutionAsAPathUrl() {
        assertThat(links.of(Notices.twoNodes())).isEqualTo("https://host/cron/ui/jobs/backup/executions/7-2-web-2");
    }

    @Test
    void aJobEventLinksTheJobAndOtherEventsTheDashboard() {
        assertThat(links.of(Notices.started())).isEqualTo("https://host/cron/ui/jobs/backup");
        Notice clusterWide = new Notice("d-1", Notice.Event.RUN_STARTED, Notices.START, null, null, Map.of(), 0, null,
                null, List.of(), "paused");
        assertThat(links.of(clusterWide)).isEqualTo("https://host/cron/ui/");
    }

    @Test
    void segmentsAreEncodedSoANodeNameCannotBreakThePath() {
        Notice odd = new Notice("d-2", Notice.Event.RUN_FINISHED, Notices.END, "backup", null, Map.of(), 7, "failed",
                null, List.of(new Notice.Attempt("7-1-web 1/a?b#c", "web 1/a?b#c", 1, Notices.START, Notices.END,
                        false, 1, "")), "backup failed");
        assertThat(links.of(odd)).isEqualTo("https://host/cron/ui/jobs/backup/executions/7-1-web%201%2Fa%3Fb%23c");
    }
}
