package dev.hibachi.api;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.zone.ZoneOffsetTransition;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the dashboard needs of the server, on a real agent: a job's next fire times, a schedule's preview, dry
 * runs of the upsert that answer exactly what the put would and write nothing, and the dashboard's deep links.
 */
class DashboardServerTest {
    private static final String DEFAULT_ZONE = "America/New_York";
    private static final String SHELL = """
            "executor":"shell","executor_config":{"command":"true"}""";

    @RegisterExtension
    static final AgentPerClass agent = AgentPerClass.server(c -> c.toBuilder().defaultZone(DEFAULT_ZONE).build());
    static final Api api = agent.api();

    // ---- next fire times ---------------------------------------------------------------------------------

    @Test
    void nextFireTimesFollowTheJobsZoneThroughASpringForwardGap() {
        ZoneId paris = ZoneId.of("Europe/Paris");
        ZoneOffsetTransition gap = nextGap(paris);
        LocalDate day = gap.getDateTimeBefore().toLocalDate();
        // From the day before the clocks go forward: 02:30 does not exist on the day itself.
        Instant startsAt = day.minusDays(1).atStartOfDay(paris).toInstant();
        api.putJob("""
                {"name":"dst","schedule":"0 30 2 * * *","timezone":"Europe/Paris","starts_at":"%s",%s}"""
                .formatted(startsAt, SHELL));

        Api.Response r = api.get("/v1/jobs/dst/next?count=3");

        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.json().path("timezone").asText()).isEqualTo("Europe/Paris");
        assertThat(texts(r.json().path("next"))).containsExactly(
                day.minusDays(1).atTime(2, 30).atZone(paris).toInstant().toString(),
                gap.getInstant().toString(),
                day.plusDays(1).atTime(2, 30).atZone(paris).toInstant().toString());
    }

    @Test
    void nextFireTimesDefaultToFiveInTheClustersZoneAndCountIsChecked() {
        api.putJob("""
                {"name":"daily-default","schedule":"0 0 9 * * *",%s}""".formatted(SHELL));

        Api.Response r = api.get("/v1/jobs/daily-default/next");

        assertThat(r.json().path("timezone").asText()).isEqualTo(DEFAULT_ZONE);
        List<String> next = texts(r.json().path("next"));
        assertThat(next).hasSize(5);
        for (String t : next) {
            ZonedDateTime local = Instant.parse(t).atZone(ZoneId.of(DEFAULT_ZONE));
            assertThat(local.toLocalTime()).isEqualTo(LocalTime.of(9, 0));
            assertThat(t).endsWith("Z");
        }
        for (String count : List.of("0", "101", "many")) {
            Api.Response bad = api.get("/v1/jobs/daily-default/next?count=" + count);
            assertThat(bad.status()).as(bad.toString()).isEqualTo(400);
            assertThat(bad.json().path("field").asText()).isEqualTo("count");
        }
    }

    @Test
    void everyCountsFromTheStoredAnchorNotFromNow() {
        api.putJob("""
                {"name":"hourly-every","schedule":"@every 1h",%s}""".formatted(SHELL));
        String stored = api.job("hourly-every").path("next").asText();

        List<String> next = texts(api.get("/v1/jobs/hourly-every/next?count=4").json().path("next"));

        assertThat(next).hasSize(4);
        assertThat(next.get(0)).isEqualTo(stored);
        for (int i = 1; i < next.size(); i++) {
            assertThat(Duration.between(Instant.parse(next.get(i - 1)), Instant.parse(next.get(i))))
                    .isEqualTo(Duration.ofHours(1));
        }
    }

    @Test
    void jobsThatDoNotFireOnTheirOwnHaveNoNextTimesAndAnUnknownJobIs404() {
        api.putJob("""
                {"name":"by-hand","schedule":"@manually",%s}""".formatted(SHELL));
        api.putJob("""
                {"name":"switched-off","schedule":"@every 1m","disabled":true,%s}""".formatted(SHELL));
        api.putJob("""
                {"name":"expired","schedule":"@every 1m","expires_at":"2020-01-02T00:00:00Z",%s}""".formatted(SHELL));
        for (String job : List.of("by-hand", "switched-off", "expired")) {
            Api.Response r = api.get("/v1/jobs/" + job + "/next");
            assertThat(r.status()).as(job + " " + r).isEqualTo(200);
            assertThat(r.json().path("timezone").asText()).isEqualTo(DEFAULT_ZONE);
            assertThat(r.json().path("next").isArray()).isTrue();
            assertThat(r.json().path("next")).as(job).isEmpty();
        }

        Api.Response unknown = api.get("/v1/jobs/nobody-here/next");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.json().path("error").asText()).isEqualTo("job not found: nobody-here");
    }

    // ---- schedule preview --------------------------------------------------------------------------------

    @Test
    void aPreviewDescribesTheScheduleAndListsItsNextTimesInItsZone() {
        Api.Response r = api.post("/v1/schedule/preview", """
                {"schedule":"0 30 8 * * MON-FRI","timezone":"Europe/Paris"}""");

        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        JsonNode p = r.json();
        assertThat(p.path("schedule").asText()).isEqualTo("0 30 8 * * MON-FRI");
        assertThat(p.path("timezone").asText()).isEqualTo("Europe/Paris");
        assertThat(p.path("description").asText()).isEqualTo("at 08:30 on Monday to Friday");
        List<String> next = texts(p.path("next"));
        assertThat(next).hasSize(5);
        for (String t : next) {
            ZonedDateTime local = Instant.parse(t).atZone(ZoneId.of("Europe/Paris"));
            assertThat(local.toLocalTime()).isEqualTo(LocalTime.of(8, 30));
            assertThat(local.getDayOfWeek()).isNotIn(DayOfWeek.SATURDAY, DayOfWeek.SUNDAY);
        }
    }

    @Test
    void aPreviewWithoutAZoneUsesTheClustersAndAPrefixWins() {
        JsonNode every = api.post("/v1/schedule/preview", """
                {"schedule":"@every 5m"}""").json();
        assertThat(every.path("timezone").asText()).isEqualTo(DEFAULT_ZONE);
        assertThat(every.path("description").asText()).isEqualTo("every 5 minutes");
        List<String> next = texts(every.path("next"));
        assertThat(Duration.between(Instant.parse(next.get(0)), Instant.parse(next.get(1))))
                .isEqualTo(Duration.ofMinutes(5));

        JsonNode prefixed = api.post("/v1/schedule/preview", """
                {"schedule":"CRON_TZ=Asia/Tokyo @daily","timezone":"Europe/Paris"}""").json();
        assertThat(prefixed.path("timezone").asText()).isEqualTo("Asia/Tokyo");
        assertThat(prefixed.path("description").asText()).isEqualTo("every day at 00:00");
        assertThat(Instant.parse(prefixed.path("next").path(0).asText()).atZone(ZoneId.of("Asia/Tokyo"))
                .toLocalTime()).isEqualTo(LocalTime.MIDNIGHT);

        JsonNode manual = api.post("/v1/schedule/preview", """
                {"schedule":"@manually"}""").json();
        assertThat(manual.path("next")).isEmpty();
    }

    @Test
    void aBadPreviewNamesTheFieldAtFault() {
        assertField(api.post("/v1/schedule/preview", """
                {"schedule":"0 61 * * * *"}"""), "schedule");
        assertField(api.post("/v1/schedule/preview", """
                {"schedule":"@every soon"}"""), "schedule");
        assertField(api.post("/v1/schedule/preview", """
                {"timezone":"Europe/Paris"}"""), "schedule");
        assertField(api.post("/v1/schedule/preview", """
                {"schedule":"@daily","timezone":"Mars/Olympus"}"""), "timezone");
        assertField(api.post("/v1/schedule/preview", """
                {"schedule":"@daily","tz":"UTC"}"""), "tz");
        assertField(api.post("/v1/schedule/preview", """
                {"schedule":7}"""), "schedule");
        Api.Response notJson = api.post("/v1/schedule/preview", "{schedule");
        assertThat(notJson.status()).isEqualTo(400);
        assertThat(notJson.json().path("error").asText()).startsWith("invalid JSON");
    }

    // ---- dry runs ----------------------------------------------------------------------------------------

    @Test
    void aValidDryRunAnswersTheJobAsItWouldBeStoredAndWritesNothing() {
        for (String[] call : List.of(new String[]{"POST", "/v1/jobs?dry_run=true"},
                new String[]{"PUT", "/v1/jobs/rehearsed?dry_run=true"},
                new String[]{"PATCH", "/v1/jobs?dry_run"})) {
            Api.Response r = api.send(call[0], call[1], """
                    {"name":"rehearsed","schedule":"@every 10m",%s}""".formatted(SHELL));

            assertThat(r.status()).as(call[0] + " " + r).isEqualTo(200);
            assertThat(r.json().path("valid").asBoolean()).isTrue();
            JsonNode job = r.json().path("job");
            assertThat(job.path("name").asText()).isEqualTo("rehearsed");
            assertThat(job.path("concurrency").asText()).isEqualTo("allow");
            assertThat(job.path("misfire").asText()).isEqualTo("run_once");
            assertThat(Instant.parse(job.path("next").asText())).isAfter(Instant.now());
            assertThat(api.get("/v1/jobs/rehearsed").status()).isEqualTo(404);
        }
        Api.Response no = api.post("/v1/jobs?dry_run=maybe", """
                {"name":"rehearsed","schedule":"@every 10m",%s}""".formatted(SHELL));
        assertField(no, "dry_run");
        assertThat(api.get("/v1/jobs/rehearsed").status()).isEqualTo(404);
    }

    @Test
    void aDryRunRefusesExactlyAsThePutWould() {
        api.putJob("""
                {"name":"grandparent","schedule":"@manually",%s}""".formatted(SHELL));
        api.putJob("""
                {"name":"parent","parent_job":"grandparent",%s}""".formatted(SHELL));
        List<String> bad = List.of(
                "{\"name\":\"x\",",
                "[]",
                """
                {"name":"x","schedule":"@daily","colour":"red",%s}""".formatted(SHELL),
                """
                {"name":"x","schedule":"@daily","retries":"many",%s}""".formatted(SHELL),
                """
                {"name":"Bad Name","schedule":"@daily",%s}""".formatted(SHELL),
                """
                {"name":"x","schedule":"61 * * * *",%s}""".formatted(SHELL),
                """
                {"name":"x","schedule":"@daily","timezone":"Nowhere/City",%s}""".formatted(SHELL),
                """
                {"name":"x","schedule":"@daily","executor":"teleport"}""",
                """
                {"name":"x","schedule":"@daily","executor":"shell","executor_config":{}}""",
                """
                {"name":"x","schedule":"@daily","processors":{"fluent":{}},%s}""".formatted(SHELL),
                """
                {"name":"x","parent_job":"missing-parent",%s}""".formatted(SHELL),
                """
                {"name":"grandparent","parent_job":"parent",%s}""".formatted(SHELL));
        for (String body : bad) {
            Api.Response dry = api.post("/v1/jobs?dry_run=true", body);
            Api.Response real = api.post("/v1/jobs", body);
            assertThat(real.status()).as(body + " " + real).isIn(400, 404);
            assertThat(dry.status()).as(body).isEqualTo(real.status());
            assertThat(dry.json()).as(body).isEqualTo(real.json());
        }
        assertThat(api.job("grandparent").path("parent_job").asText()).isEmpty();

        assertThat(api.post("/v1/pause", "").status()).isEqualTo(200);
        try {
            String fine = """
                    {"name":"while-paused","schedule":"@daily",%s}""".formatted(SHELL);
            Api.Response dry = api.post("/v1/jobs?dry_run=true", fine);
            Api.Response real = api.post("/v1/jobs", fine);
            assertThat(real.status()).isEqualTo(503);
            assertThat(dry.status()).isEqualTo(503);
            assertThat(dry.json()).isEqualTo(real.json());
        } finally {
            assertThat(api.post("/v1/unpause", "").status()).isEqualTo(200);
        }
    }

    @Test
    void aDryRunOfAnExistingJobKeepsWhatTheStoreKeeps() {
        api.putJob("""
                {"name":"kept","schedule":"@every 1h",%s}""".formatted(SHELL));
        String next = api.job("kept").path("next").asText();

        Api.Response r = api.send("PUT", "/v1/jobs/kept?dry_run=true", """
                {"schedule":"@every 1h","owner":"ops",%s}""".formatted(SHELL));

        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.json().path("job").path("owner").asText()).isEqualTo("ops");
        assertThat(r.json().path("job").path("next").asText()).isEqualTo(next);
        assertThat(api.job("kept").path("owner").asText()).isEmpty();
    }

    // ---- deep links --------------------------------------------------------------------------------------

    @Test
    void anyPageUnderUiAnswersTheDashboardsIndex() throws IOException {
        String index = classpathIndex();
        for (String path : List.of("/ui/", "/ui/jobs", "/ui/jobs/new", "/ui/jobs/x/executions/y",
                "/ui/jobs/backup/executions/7-1-web.example.com", "/ui/busy?x=1")) {
            Api.Response r = api.get(path);
            assertThat(r.status()).as(path + " " + r).isEqualTo(200);
            assertThat(r.header("Content-Type")).as(path).startsWith("text/html");
            assertThat(r.body()).as(path).isEqualTo(index);
        }
        Api.Response file = api.get("/ui/index.html");
        assertThat(file.status()).isEqualTo(200);
        assertThat(file.header("Content-Type")).startsWith("text/html");
        Api.Response script = api.get("/ui/app.js");
        assertThat(script.status()).as(script.toString()).isEqualTo(200);
        assertThat(script.header("Content-Type")).contains("javascript");
        assertThat(script.body()).contains("export function go(");
    }

    @Test
    void aMissingAssetIs404AndUiRedirectsRelatively() {
        for (String path : List.of("/ui/app-nope.js", "/ui/css/nope.css", "/ui/img/nope.PNG")) {
            Api.Response r = api.get(path);
            assertThat(r.status()).as(path + " " + r).isEqualTo(404);
        }
        Api.Response api404 = api.get("/v1/no-such-thing");
        assertThat(api404.status()).isEqualTo(404);
        assertThat(api404.json().path("error").asText()).isEqualTo("no such route: GET /v1/no-such-thing");

        Api.Response ui = api.get("/ui");
        assertThat(ui.status()).isEqualTo(301);
        assertThat(ui.header("Location")).isEqualTo("ui/");
    }

    private static String classpathIndex() throws IOException {
        try (InputStream in = DashboardServerTest.class.getClassLoader().getResourceAsStream("ui/index.html")) {
            assertThat(in).as("the dashboard's index.html on the classpath").isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static void assertField(Api.Response r, String field) {
        assertThat(r.status()).as(r.toString()).isEqualTo(400);
        assertThat(r.json().path("field").asText()).as(r.toString()).isEqualTo(field);
        assertThat(r.json().path("error").asText()).isNotBlank();
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    /** The next transition of {@code zone} that moves the clocks forward. */
    private static ZoneOffsetTransition nextGap(ZoneId zone) {
        Instant from = Instant.now();
        while (true) {
            ZoneOffsetTransition t = zone.getRules().nextTransition(from);
            if (t.isGap()) {
                return t;
            }
            from = t.getInstant();
        }
    }
}
