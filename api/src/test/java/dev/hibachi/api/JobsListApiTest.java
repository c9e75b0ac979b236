package dev.hibachi.api;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code GET /v1/jobs} with Dkron's filters, sorts and slice on a real agent: each answer's status, body and
 * {@code X-Total-Count}, and a 400 naming the parameter for each value that cannot mean anything. The jobs are
 * made once and only read.
 */
class JobsListApiTest {
    @RegisterExtension
    static final AgentPerClass agent = AgentPerClass.server();
    static final Api api = agent.api();
    static final List<String> ALL = new ArrayList<>();

    @BeforeAll
    static void putJobs() {
        put("alpha-web", "{\"team\":\"web\",\"env\":\"prod\"}", "{\"role\":\"web:2\",\"dc\":\"eu\"}", "Front Door",
                "@at 2030-01-03T00:00:00Z", "true", false);
        put("beta-web", "{\"team\":\"web\",\"env\":\"dev\"}", "{\"role\":\"web\"}", "Beta",
                "@at 2030-01-01T00:00:00Z", "true", true);
        put("gamma-data", "{\"team\":\"data\",\"env\":\"prod\"}", "{\"role\":\"db\",\"dc\":\"eu\"}",
                "Nightly BACKUP", "@at 2030-01-02T00:00:00Z", "true", false);
        put("delta-ok", "{\"team\":\"ops\"}", "", "@manually", "true", false);
        put("epsilon-bad", "{\"team\":\"ops\"}", "", "@manually", "false", false);
        put("zeta", "null", "Last", "@manually", "true", false);
        for (int i = 0; i < 12; i++) {
            put(String.format("page-%02d", i), "{\"team\":\"paging\"}", "", "@manually", "true", false);
        }
        ALL.sort(null);
        assertThat(api.post("/v1/jobs/delta-ok", "").status()).isEqualTo(200);
        assertThat(api.post("/v1/jobs/epsilon-bad", "").status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).until(() ->
                api.job("delta-ok").path("status").asText().equals("success")
                        && api.job("epsilon-bad").path("status").asText().equals("failed"));
    }

    static void put(String name, String metadata, String displayname, String schedule, String command,
                    boolean disabled) {
        put(name, metadata, "null", displayname, schedule, command, disabled);
    }

    static void put(String name, String metadata, String tags, String displayname, String schedule, String command,
                    boolean disabled) {
        api.putJob("{\"name\":\"" + name + "\",\"displayname\":\"" + displayname + "\",\"schedule\":\"" + schedule
                + "\",\"metadata\":" + metadata + ",\"tags\":" + tags + ",\"disabled\":" + disabled
                + ",\"executor\":\"shell\","
                + "\"executor_config\":{\"command\":\"" + command + "\"}}");
        ALL.add(name);
    }

    @Test
    void withoutParametersEveryJobComesInNameOrder() {
        Api.Response r = list("");
        assertThat(r.header("Content-Type")).startsWith("application/json");
        assertThat(names(r)).isEqualTo(ALL);
        assertThat(r.header("X-Total-Count")).isEqualTo("18");
        assertThat(r.header("X-Hibachi-Truncated")).isNull();
        assertThat(r.list().get(0).path("metadata").path("team").asText()).as("whole jobs").isEqualTo("web");
        assertThat(names(list("?_sort=id"))).isEqualTo(ALL);
        assertThat(names(list("?_sort=name&_order=ASC"))).isEqualTo(ALL);
    }

    @Test
    void metadataFiltersMatchExactlyAndAllMustMatch() {
        assertThat(names(list("?metadata[team]=web"))).containsExactly("alpha-web", "beta-web");
        Api.Response both = list("?metadata[team]=web&metadata[env]=prod");
        assertThat(names(both)).containsExactly("alpha-web");
        assertThat(both.header("X-Total-Count")).isEqualTo("1");
        assertThat(names(list("?metadata[env]=prod"))).containsExactly("alpha-web", "gamma-data");
        Api.Response none = list("?metadata[team]=WEB");
        assertThat(none.list()).isEmpty();
        assertThat(none.header("X-Total-Count")).isEqualTo("0");
        assertThat(names(list("?metadata[team]=web&metadata[team]=web"))).as("the same value twice")
                .containsExactly("alpha-web", "beta-web");
        assertThat(list("?metadata[nope]=x").list()).isEmpty();
    }

    @Test
    void tagFiltersKeepTheJobsThatRunOnMembersWithThatTag() {
        assertThat(names(list("?tags[role]=web"))).as("web:2 runs on members with role=web")
                .containsExactly("alpha-web", "beta-web");
        assertThat(names(list("?tags[dc]=eu"))).containsExactly("alpha-web", "gamma-data");
        Api.Response both = list("?tags[role]=web&tags[dc]=eu");
        assertThat(names(both)).containsExactly("alpha-web");
        assertThat(both.header("X-Total-Count")).isEqualTo("1");
        assertThat(list("?tags[role]=web:2").list()).as("the count is not part of the value").isEmpty();
        assertThat(list("?tags[role]=WEB").list()).isEmpty();
        assertThat(names(list("?tags[dc]=eu&metadata[env]=prod&disabled=false&_sort=next&_order=DESC")))
                .containsExactly("alpha-web", "gamma-data");
        assertThat(names(list("?tags[role]=web&metadata[team]=web&disabled=true"))).containsExactly("beta-web");
    }

    @Test
    void statsCountTheJobsAsTheListFiltersThem() {
        JsonNode jobs = api.get("/v1/stats?days=1").json().path("jobs");
        assertThat(jobs.path("total").asInt()).isEqualTo(18);
        assertThat(jobs.path("disabled").asInt()).isEqualTo(1);
        assertThat(jobs.path("success").asInt()).isEqualTo(1);
        assertThat(jobs.path("failed").asInt()).isEqualTo(1);
        assertThat(jobs.path("partially_failed").asInt()).isZero();
        assertThat(jobs.path("untriggered").asInt()).isEqualTo(15);
        for (String status : List.of("success", "failed", "partially_failed", "untriggered")) {
            assertThat(jobs.path(status).asText()).as(status)
                    .isEqualTo(list("?status=" + status + "&disabled=false&_end=0").header("X-Total-Count"));
        }
        assertThat(jobs.path("disabled").asText()).isEqualTo(list("?disabled=true&_end=0").header("X-Total-Count"));
        assertThat(api.get("/v1/stats?stale").json().path("jobs").path("total").asInt()).isEqualTo(18);
    }

    @Test
    void qFindsTheNameOrTheDisplayNameInAnyCase() {
        assertThat(names(list("?q=door"))).containsExactly("alpha-web");
        assertThat(names(list("?q=backup"))).containsExactly("gamma-data");
        assertThat(names(list("?q=WEB"))).containsExactly("alpha-web", "beta-web");
        Api.Response pages = list("?q=page-1");
        assertThat(names(pages)).containsExactly("page-10", "page-11");
        assertThat(pages.header("X-Total-Count")).isEqualTo("2");
        assertThat(names(list("?q="))).as("an empty q filters nothing").isEqualTo(ALL);
    }

    @Test
    void statusSelectsTheLastFinishedRunsOutcome() {
        assertThat(names(list("?status=success"))).containsExactly("delta-ok");
        assertThat(names(list("?status=failed"))).containsExactly("epsilon-bad");
        Api.Response untriggered = list("?status=untriggered");
        assertThat(names(untriggered)).doesNotContain("delta-ok", "epsilon-bad").hasSize(16);
        assertThat(untriggered.header("X-Total-Count")).isEqualTo("16");
        Api.Response partial = list("?status=partially_failed");
        assertThat(partial.status()).isEqualTo(200);
        assertThat(partial.list()).isEmpty();
        assertThat(partial.header("X-Total-Count")).isEqualTo("0");
    }

    @Test
    void disabledSelectsByTheFlag() {
        assertThat(names(list("?disabled=true"))).containsExactly("beta-web");
        Api.Response enabled = list("?disabled=FALSE");
        assertThat(names(enabled)).doesNotContain("beta-web").hasSize(17);
        assertThat(enabled.header("X-Total-Count")).isEqualTo("17");
    }

    @Test
    void everySortOrdersByItsFieldThenByName() {
        assertThat(names(list("?metadata[env]=prod&_sort=next&_order=DESC"))).containsExactly("alpha-web",
                "gamma-data");
        assertThat(names(list("?metadata[env]=prod&_sort=next&_order=asc"))).containsExactly("gamma-data",
                "alpha-web");
        assertThat(names(list("?q=a&_sort=displayname&_start=0&_end=20")).subList(0, 3)).as("empty names first")
                .containsExactly("delta-ok", "epsilon-bad", "page-00");
        assertThat(names(list("?_sort=displayname&_order=desc&_end=4"))).as("any case, then exact")
                .containsExactly("gamma-data", "zeta", "alpha-web", "beta-web");
        assertThat(names(list("?_sort=success_count&_order=desc&_end=1"))).containsExactly("delta-ok");
        assertThat(names(list("?_sort=error_count&_order=desc&_end=1"))).containsExactly("epsilon-bad");
        assertThat(names(list("?_sort=last_success&_order=desc&_end=1"))).containsExactly("delta-ok");
        assertThat(names(list("?_sort=last_error&_order=desc&_end=1"))).containsExactly("epsilon-bad");
        assertThat(names(list("?_sort=schedule&_order=desc&_end=1"))).as("@manually after @at")
                .containsExactly("zeta");
        List<String> reversed = new ArrayList<>(ALL);
        java.util.Collections.reverse(reversed);
        assertThat(names(list("?_order=desc"))).isEqualTo(reversed);
    }

    @Test
    void theSliceIsTakenAfterFilteringAndSortingAndTheTotalBefore() {
        Api.Response middle = list("?metadata[team]=paging&_start=5&_end=8");
        assertThat(middle.status()).isEqualTo(200);
        assertThat(names(middle)).containsExactly("page-05", "page-06", "page-07");
        assertThat(middle.header("X-Total-Count")).isEqualTo("12");
        assertThat(names(list("?metadata[team]=paging&_start=10"))).containsExactly("page-10", "page-11");
        assertThat(names(list("?metadata[team]=paging&_end=2"))).containsExactly("page-00", "page-01");
        assertThat(names(list("?metadata[team]=paging&_order=DESC&_start=1&_end=3"))).containsExactly("page-10",
                "page-09");
        Api.Response past = list("?metadata[team]=paging&_start=20&_end=30");
        assertThat(past.list()).isEmpty();
        assertThat(past.header("X-Total-Count")).isEqualTo("12");
        assertThat(list("?_start=5&_end=2").list()).as("an end before the start").isEmpty();
        assertThat(names(list("?_start=0&_end=99999999999"))).as("a huge end").isEqualTo(ALL);
        assertThat(names(list("?_start=00000000000000000001&_end=0003"))).as("leading zeros")
                .isEqualTo(ALL.subList(1, 3));
        assertThat(names(list("?_sort=next&_start=16&_end=18"))).hasSize(2);
    }

    @Test
    void filtersSortAndSliceCombine() {
        Api.Response r = list("?metadata[team]=web&q=e&disabled=false&status=untriggered&_sort=next&_order=DESC"
                + "&_start=0&_end=5&unknown=ignored");
        assertThat(names(r)).containsExactly("alpha-web");
        assertThat(r.header("X-Total-Count")).isEqualTo("1");
    }

    @ParameterizedTest(name = "{0} -> 400 naming {1}")
    @CsvSource(delimiter = '|', value = {
            "_sort=color|_sort|_sort must be one of id, name, displayname, schedule, success_count, error_count, "
                    + "last_success, last_error, next (got \"color\")",
            "_order=up|_order|_order must be ASC or DESC (got \"up\")",
            "_start=-1|_start|_start must be a whole number, 0 or more (got \"-1\")",
            "_start=abc|_start|_start must be a whole number",
            "_end=1.5|_end|_end must be a whole number",
            "disabled=maybe|disabled|disabled must be true or false (got \"maybe\")",
            "status=unknown|status|status must be one of success, failed, partially_failed, untriggered",
            "status=running|status|a job's status is its last finished run's",
            "metadata[]=x|metadata[]|a metadata filter is metadata[key]=value",
            "metadata[a]=1&metadata[a]=2|metadata[a]|metadata[a] is given twice with different values",
            "tags[]=x|tags[]|a tags filter is tags[key]=value",
            "tags[role=web|tags[role|a tags filter is tags[key]=value",
            "tags[a]=1&tags[a]=2|tags[a]|tags[a] is given twice with different values",
    })
    void aValueThatCannotMeanAnythingIs400NamingItsParameter(String query, String field, String message) {
        Api.Response r = list("?" + query);
        assertThat(r.status()).as(r.toString()).isEqualTo(400);
        assertThat(r.header("Content-Type")).startsWith("application/json");
        assertThat(r.json().path("field").asText()).isEqualTo(field);
        assertThat(r.json().path("error").asText()).contains(message);
    }

    static Api.Response list(String query) {
        Api.Response r = api.get("/v1/jobs" + query.replace("[", "%5B").replace("]", "%5D"));
        if (r.status() == 200) {
            assertThat(r.header("X-Total-Count")).as("X-Total-Count of %s", query).isNotNull();
        }
        return r;
    }

    static List<String> names(Api.Response r) {
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.list().stream().map(j -> j.path("name").asText()).toList();
    }
}
