package dev.hibachi.agent.notify;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NoticeFilterTest {
    static Notice run(String status, String previous, Map<String, String> metadata) {
        return new Notice("1-0-0", Notice.Event.RUN_FINISHED, Instant.EPOCH, "etl", null, metadata, 7, status,
                previous, List.of(), "run over");
    }

    static Notice of(Notice.Event event, Map<String, String> metadata) {
        return new Notice("1-0-0", event, Instant.EPOCH, "etl", null, metadata, 0, null, null, List.of(), "x");
    }

    @ParameterizedTest(name = "{0}: {1} after {2} -> {3}")
    @CsvSource(nullValues = "none", value = {
            "always,success,none,true", "always,failed,success,true",
            "failure,failed,success,true", "failure,success,failed,false", "failure,killed,none,true",
            "success,success,failed,true", "success,partially_failed,success,false",
            "change,failed,none,true", "change,success,none,false", "change,success,failed,true",
            "change,failed,killed,false", "change,success,success,false", "never,failed,success,false"})
    void eachModeOnAFinishedRun(String mode, String status, String previous, boolean sent) {
        NoticeFilter f = new NoticeFilter(new NotifySettings(NotifyOn.parse("--notify-on", mode), Map.of(), false,
                false));
        assertThat(f.wants("webhook", run(status, previous, Map.of()))).isEqualTo(sent);
    }

    @Test
    void troubleGoesToEveryRuleButSuccess() {
        for (Notice.Event e : List.of(Notice.Event.RUN_MISSED, Notice.Event.RUN_SKIPPED, Notice.Event.RUN_OVERDUE,
                Notice.Event.RUN_KILLED)) {
            assertThat(new NoticeFilter(new NotifySettings(NotifyOn.CHANGE, Map.of(), false, false))
                    .wants("mail", of(e, Map.of()))).isTrue();
            assertThat(new NoticeFilter(new NotifySettings(NotifyOn.SUCCESS, Map.of(), false, false))
                    .wants("mail", of(e, Map.of()))).isFalse();
        }
    }

    @Test
    void theJobsMetadataOverridesTheAgentPerChannelAndAChannelCanBeSilenced() {
        NoticeFilter f = new NoticeFilter(new NotifySettings(NotifyOn.ALWAYS, Map.of("slack", NotifyOn.FAILURE),
                false, false));

        assertThat(f.wants("slack", run("success", null, Map.of()))).isFalse();
        assertThat(f.wants("webhook", run("success", null, Map.of()))).isTrue();
        assertThat(f.wants("slack", run("success", null, Map.of("notify.on", "success")))).isTrue();
        assertThat(f.wants("slack", run("success", null, Map.of("notify.on", "failure", "notify.slack.on",
                "always")))).isTrue();
        assertThat(f.wants("webhook", run("failed", null, Map.of("notify.webhook", "never")))).isFalse();
        assertThat(f.wants("pre-webhook", of(Notice.Event.RUN_STARTED, Map.of("notify.pre-webhook", "NEVER"))))
                .isFalse();
        // A bad value is ignored (and logged): the agent's rule applies.
        assertThat(f.wants("slack", run("failed", null, Map.of("notify.on", "sometimes")))).isTrue();
    }

    @Test
    void startsAlwaysGoAuditAndClusterEventsOnlyWhenAskedFor() {
        NoticeFilter none = new NoticeFilter(new NotifySettings(NotifyOn.NEVER, Map.of(), false, false));
        NoticeFilter both = new NoticeFilter(new NotifySettings(NotifyOn.NEVER, Map.of(), true, true));

        assertThat(none.wants("pre-webhook", of(Notice.Event.RUN_STARTED, Map.of()))).isTrue();
        assertThat(none.wants("webhook", of(Notice.Event.JOB_CREATED, Map.of()))).isFalse();
        assertThat(none.wants("webhook", of(Notice.Event.MEMBER_FAILED, Map.of()))).isFalse();
        assertThat(both.wants("webhook", of(Notice.Event.JOB_DELETED, Map.of()))).isTrue();
        assertThat(both.wants("webhook", of(Notice.Event.LEADER_CHANGED, Map.of()))).isTrue();
    }

    @Test
    void aBadRuleNamesItsField() {
        assertThatThrownBy(() -> NotifyOn.parse("notify.on", "often")).hasMessage("notify.on: 'often' must be one of"
                + " always, failure, success, change, never");
    }

    @Test
    void theBackoffDoublesToItsCeilingWithJitter() {
        DeliveryBackoff b = DeliveryBackoff.DEFAULT;
        assertThat(b.after(1).toMillis()).isBetween(4500L, 5500L);
        assertThat(b.after(2).toMillis()).isBetween(9000L, 11000L);
        assertThat(b.after(30).toMillis()).isBetween(270_000L, 330_000L);
    }
}
