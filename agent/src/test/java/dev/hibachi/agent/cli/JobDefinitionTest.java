package dev.hibachi.agent.cli;

import dev.hibachi.store.json.Json;
import dev.hibachi.store.model.Job;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The canonical form of a job's definition: what counts as the same job, and how a change is shown. */
class JobDefinitionTest {

    private static JobDefinition parse(String json) throws Exception {
        return JobDefinition.of(Json.mapper().readValue(json, Job.class));
    }

    @Test
    void absentNullEmptyAndTheStoresDefaultsAreTheSame() throws Exception {
        JobDefinition minimal = parse("{\"name\":\"a\",\"schedule\":\"@manually\",\"executor\":\"shell\"}");
        JobDefinition explicit = parse("{\"name\":\"a\",\"displayname\":\"\",\"timezone\":null,\"schedule\":\"@manually\","
                + "\"tags\":{},\"metadata\":null,\"parent_job\":\"\",\"concurrency\":\"allow\",\"misfire\":\"\","
                + "\"executor\":\"shell\",\"executor_config\":{},\"processors\":{},\"starts_at\":\"0001-01-01T00:00:00Z\"}");
        assertThat(explicit).isEqualTo(minimal);
        assertThat(minimal.fields().fieldNames()).toIterable()
                .containsExactly("name", "schedule", "disabled", "retries", "concurrency", "executor", "ephemeral",
                        "misfire");
    }

    @Test
    void theServerKeptFieldsNeverCount() throws Exception {
        JobDefinition file = parse("{\"name\":\"a\",\"schedule\":\"@manually\",\"executor\":\"shell\"}");
        JobDefinition cluster = parse("{\"id\":\"a\",\"name\":\"a\",\"schedule\":\"@manually\",\"executor\":\"shell\","
                + "\"success_count\":3,\"error_count\":2,\"status\":\"failed\",\"next\":\"2030-01-01T00:00:00Z\","
                + "\"last_error\":\"2026-01-01T00:00:00Z\",\"dependent_jobs\":[\"b\"],\"missed_count\":7,"
                + "\"skipped_count\":1}");
        assertThat(cluster).isEqualTo(file);
    }

    @Test
    void mapsAreSortedSoTheirOrderNeverShows() throws Exception {
        JobDefinition d = parse("{\"name\":\"a\",\"schedule\":\"@manually\",\"executor\":\"shell\","
                + "\"tags\":{\"zone\":\"a\",\"role\":\"web\"},\"processors\":{\"log\":{},\"files\":{\"b\":\"1\",\"a\":\"2\"}}}");
        assertThat(d.fields().path("tags").toString()).isEqualTo("{\"role\":\"web\",\"zone\":\"a\"}");
        assertThat(d.fields().path("processors").toString()).isEqualTo("{\"files\":{\"a\":\"2\",\"b\":\"1\"},\"log\":{}}");
    }

    @Test
    void aNullInsideAFieldIsLeftOutAsAbsent() throws Exception {
        JobDefinition withNull = parse("{\"name\":\"a\",\"schedule\":\"@manually\",\"executor\":\"shell\","
                + "\"retry_backoff\":{\"initial\":\"5s\",\"multiplier\":null}}");
        assertThat(withNull.fields().path("retry_backoff").toString()).isEqualTo("{\"initial\":\"5s\"}");
        assertThat(withNull).isEqualTo(parse("{\"name\":\"a\",\"schedule\":\"@manually\",\"executor\":\"shell\","
                + "\"retry_backoff\":{\"initial\":\"5s\"}}"));
    }

    @Test
    void changesAreListedFieldByFieldAndMapsKeyByKey() throws Exception {
        JobDefinition before = parse("{\"name\":\"a\",\"schedule\":\"@every 1m\",\"executor\":\"shell\","
                + "\"executor_config\":{\"command\":\"echo a\"},\"tags\":{\"role\":\"web\"}}");
        JobDefinition after = parse("{\"name\":\"a\",\"schedule\":\"@every 5m\",\"executor\":\"shell\","
                + "\"executor_config\":{\"command\":\"echo b\"},\"retries\":2,\"owner\":\"ops\"}");
        assertThat(after.changesFrom(before)).map(Object::toString).containsExactly(
                "schedule: \"@every 1m\" → \"@every 5m\"",
                "owner: (none) → \"ops\"",
                "tags.role: \"web\" → (none)",
                "retries: 0 → 2",
                "executor_config.command: \"echo a\" → \"echo b\"");
        assertThat(after.changesFrom(after)).isEmpty();
    }

    @Test
    void theJobSentIsTheDefinitionOnly() {
        JobDefinition d = JobDefinition.of(Job.of("a", "@manually", "shell", Map.of("command", "true")));
        assertThat(d.json()).doesNotContain("success_count").doesNotContain("\"id\"").contains("\"name\":\"a\"");
        assertThat(d.parent()).isEmpty();
        assertThat(List.of(d.name())).containsExactly("a");
    }
}
