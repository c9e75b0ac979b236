package dev.hibachi.store.model;

import dev.hibachi.store.json.Json;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A job must survive Hibachi's JSON: the Raft log, the store and snapshots all hold it as JSON, and the mapper
 * refuses unknown fields. (Regression: {@code isChild()} was once written as a {@code "child"} property that
 * could not be read back, so every PutJob was refused as undecodable.)
 */
class JobJsonTest {

    @Test
    void aJobRoundTripsThroughHibachisJson() {
        Job root = Job.of("backup", "@every 10s", "shell", Map.of("command", "true"));
        Job child = new Job("child", "child", "", "", "", "", "", 3, 1, Instant.parse("2024-03-01T12:00:00Z"), null,
                false, Map.of("role", "db"), null, 2, List.of("grandchild"), "backup", null, "forbid", "shell",
                Map.of(), "success", null, false, null, null, "skip", "30s", "1h", new Backoff("2s", "", null), 7, 8);

        for (Job job : List.of(root, child)) {
            byte[] json = Json.write(job);
            assertThat(new String(json)).doesNotContain("\"child\":").contains("\"parent_job\"");
            assertThat(Json.read(json, Job.class)).isEqualTo(job);
        }
    }
}
