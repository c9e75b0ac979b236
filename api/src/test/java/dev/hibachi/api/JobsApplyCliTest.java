package dev.hibachi.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hibachi.api.CliTest.Run;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static dev.hibachi.api.CliTest.hibachi;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code hibachi jobs apply} and {@code hibachi jobs export} against a real agent: the plan they print, what the
 * agent holds afterwards, the order of parents and children, the errors that stop everything before anything is
 * applied, and that an exported directory applies back as no change at all. Every test starts from an agent
 * without jobs, because {@code --prune} acts on all of them.
 */
class JobsApplyCliTest {
    @RegisterExtension
    static final AgentPerClass agent = AgentPerClass.server();
    static final Api api = agent.api();

    @TempDir
    Path dir;

    /** No job left: children are deleted before their parents. */
    @BeforeEach
    void deleteEveryJob() {
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            List<JsonNode> jobs = api.get("/v1/jobs").list();
            for (JsonNode j : jobs) {
                if (j.path("dependent_jobs").isEmpty()) {
                    api.delete("/v1/jobs/" + j.path("name").asText());
                }
            }
            return api.get("/v1/jobs").list().isEmpty();
        });
    }

    private static Run jobs(String... args) {
        List<String> all = new ArrayList<>(List.of("jobs"));
        all.addAll(List.of(args));
        all.addAll(List.of("--address", agent.base().toString()));
        return hibachi(all.toArray(String[]::new));
    }

    private Path file(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
        return p;
    }

    /** The cluster's jobs by name, as the agent answers them. */
    private static Map<String, JsonNode> cluster() {
        Map<String, JsonNode> jobs = new TreeMap<>();
        api.get("/v1/jobs").list().forEach(j -> jobs.put(j.path("name").asText(), j));
        return jobs;
    }

    private static final String PARENT_AND_CHILD = """
            # the child comes first in the file and by name: apply must still write the parent first
            - name: a-child
              parent_job: z-parent
              executor: shell
              executor_config:
                command: echo child
            - name: z-parent
              schedule: "@every 1m"
              executor: shell
              executor_config:
                command: echo parent
              tags:
                role: web
            """;

    @Test
    void createsJobsFromYamlAndJsonParentsFirstThenFindsThemUnchanged() throws Exception {
        file("chain.yaml", PARENT_AND_CHILD);
        file("more/solo.json", """
                {"name": "solo", "schedule": "@manually", "executor": "shell",
                 "executor_config": {"command": "true"}, "metadata": {"team": "ops"}}""");

        Run first = jobs("apply", "-f", dir.toString());
        assertThat(first.exit()).as(first.toString()).isZero();
        assertThat(first.out()).isEqualTo("""
                + create z-parent
                + create a-child
                + create solo
                3 created, 0 changed, 0 unchanged, 0 deleted
                """);
        Map<String, JsonNode> jobs = cluster();
        assertThat(jobs).containsOnlyKeys("a-child", "solo", "z-parent");
        assertThat(jobs.get("a-child").path("parent_job").asText()).isEqualTo("z-parent");
        assertThat(jobs.get("z-parent").path("dependent_jobs").get(0).asText()).isEqualTo("a-child");
        assertThat(jobs.get("z-parent").path("tags").path("role").asText()).isEqualTo("web");
        assertThat(jobs.get("solo").path("metadata").path("team").asText()).isEqualTo("ops");

        Run again = jobs("apply", "-f", dir.toString());
        assertThat(again.exit()).as(again.toString()).isZero();
        assertThat(again.out()).isEqualTo("""
                = 3 unchanged
                0 created, 0 changed, 3 unchanged, 0 deleted
                """);
    }

    @Test
    void aChangeIsShownFieldByFieldAndApplied() throws Exception {
        Path f = file("jobs.yaml", """
                name: report
                schedule: "@every 1m"
                executor: shell
                executor_config: {command: "echo v1"}
                """);
        assertThat(jobs("apply", "-f", f.toString()).exit()).isZero();
        long before = api.job("report").path("success_count").asLong();
        Files.writeString(f, """
                name: report
                schedule: "@every 5m"
                executor: shell
                executor_config: {command: "echo v2"}
                retries: 2
                """);

        Run r = jobs("apply", "-f", f.toString());
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).isEqualTo("""
                ~ change report
                    schedule: "@every 1m" → "@every 5m"
                    retries: 0 → 2
                    executor_config.command: "echo v1" → "echo v2"
                0 created, 1 changed, 0 unchanged, 0 deleted
                """);
        JsonNode job = api.job("report");
        assertThat(job.path("schedule").asText()).isEqualTo("@every 5m");
        assertThat(job.path("retries").asInt()).isEqualTo(2);
        assertThat(job.path("executor_config").path("command").asText()).isEqualTo("echo v2");
        assertThat(job.path("success_count").asLong()).isGreaterThanOrEqualTo(before);
    }

    @Test
    void dryRunPrintsThePlanAndChangesNothing() throws Exception {
        api.putJob(JobsApiTest.manualJob("stays", "true"));
        api.putJob(JobsApiTest.manualJob("extra", "true"));
        Path f = file("jobs.yaml", """
                - {name: stays, schedule: "@manually", executor: shell, executor_config: {command: "false"}}
                - {name: fresh, schedule: "@manually", executor: shell, executor_config: {command: "true"}}
                """);
        Map<String, JsonNode> before = cluster();

        Run r = jobs("apply", "-f", f.toString(), "--prune", "--dry-run");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).isEqualTo("""
                + create fresh
                ~ change stays
                    executor_config.command: "true" → "false"
                - delete extra
                Dry run: 1 to create, 1 to change, 0 unchanged, 1 to delete; nothing was applied.
                """);
        assertThat(cluster()).isEqualTo(before);
    }

    @Test
    void pruneDeletesTheJobsNoFileDefinesChildrenFirst() throws Exception {
        api.putJob(JobsApiTest.manualJob("old-parent", "true"));
        api.putJob("""
                {"name":"old-child","parent_job":"old-parent","executor":"shell","executor_config":{"command":"true"}}""");
        api.putJob(JobsApiTest.manualJob("kept", "true"));
        Path f = file("kept.json", JobsApiTest.manualJob("kept", "true"));

        Run r = jobs("apply", "-f", f.toString(), "--prune");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).isEqualTo("""
                - delete old-child
                - delete old-parent
                = 1 unchanged
                0 created, 0 changed, 1 unchanged, 2 deleted
                """);
        assertThat(cluster()).containsOnlyKeys("kept");

        // Without --prune, the cluster's other jobs stay.
        api.putJob(JobsApiTest.manualJob("other", "true"));
        assertThat(jobs("apply", "-f", f.toString()).out()).endsWith("0 created, 0 changed, 1 unchanged, 0 deleted\n");
        assertThat(cluster()).containsOnlyKeys("kept", "other");
    }

    @Test
    void aBadFileStopsEverythingAndNamesTheFileAndLine() throws Exception {
        file("a-good.yaml", "name: good\nschedule: '@manually'\nexecutor: shell\n");
        Path bad = file("b-bad.yaml", "name: bad\nschedule: '@manually'\nexecutor: shell\ncomand: oops\n");

        Run r = jobs("apply", "-f", dir.toString());
        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err().strip()).isEqualTo("Error: " + bad + ", line 4, column 1: unknown field \"comand\"");
        assertThat(r.out()).isEmpty();
        assertThat(cluster()).isEmpty();

        Files.writeString(bad, "name: bad\nschedule: 'every day'\nexecutor: shell\n");
        Run schedule = jobs("apply", "-f", dir.toString());
        assertThat(schedule.exit()).as(schedule.toString()).isEqualTo(2);
        assertThat(schedule.err()).startsWith("Error: " + bad + ", line 1, column 1: job \"bad\": ");
        assertThat(cluster()).isEmpty();
    }

    @Test
    void aNameDefinedTwiceNamesBothFiles() throws Exception {
        Path one = file("one.yaml", "name: twice\nschedule: '@manually'\nexecutor: shell\n");
        Path two = file("two.json", "[{\"name\": \"single\", \"schedule\": \"@manually\"},\n"
                + " {\"name\": \"twice\", \"schedule\": \"@manually\"}]");
        Run r = jobs("apply", "-f", one.toString(), "-f", two.toString());
        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err().strip()).isEqualTo("Error: job \"twice\" is defined twice: in " + one + ", line 1 and in "
                + two + ", line 2");
        assertThat(cluster()).isEmpty();
    }

    @Test
    void aMissingParentIsFoundBeforeAnythingIsApplied() throws Exception {
        Path f = file("jobs.yaml", """
                - {name: fine, schedule: "@manually", executor: shell}
                - {name: orphan, parent_job: nobody, executor: shell}
                """);
        Run r = jobs("apply", "-f", f.toString());
        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err().strip()).isEqualTo("Error: " + f + ", line 2: job \"orphan\": parent_job \"nobody\" is"
                + " neither defined in the files nor a job of the cluster");
        assertThat(cluster()).isEmpty();
    }

    @Test
    void aRefusedJobFailsWith1SkipsItsChildrenAndTheRestIsApplied() throws Exception {
        Path f = file("jobs.yaml", """
                - {name: broken, schedule: "@manually", executor: nosuch}
                - {name: broken-child, parent_job: broken, executor: shell, executor_config: {command: "true"}}
                - {name: independent, schedule: "@manually", executor: shell, executor_config: {command: "true"}}
                """);
        Run r = jobs("apply", "-f", f.toString());
        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        assertThat(r.err()).contains("Error: could not create job broken: unknown executor \"nosuch\"")
                .contains("(HTTP 400)")
                .contains("Error: could not create job broken-child: not tried: its parent broken was not applied");
        assertThat(r.out()).endsWith("3 created, 0 changed, 0 unchanged, 0 deleted; 2 failed (see above)\n");
        assertThat(cluster()).containsOnlyKeys("independent");
    }

    @Test
    void jsonPrintsThePlanAndWhatBecameOfIt() throws Exception {
        api.putJob(JobsApiTest.manualJob("j-change", "true"));
        Path f = file("jobs.yaml", """
                - {name: j-change, schedule: "@manually", executor: shell, executor_config: {command: "false"}}
                - {name: j-new, schedule: "@manually", executor: shell, executor_config: {command: "true"}}
                """);
        Run r = jobs("apply", "-f", f.toString(), "--json");
        assertThat(r.exit()).as(r.toString()).isZero();
        JsonNode plan = Api.JSON.readTree(r.out());
        assertThat(plan.path("dry_run").asBoolean()).isFalse();
        assertThat(plan.path("steps").get(0).path("action").asText()).isEqualTo("change");
        assertThat(plan.path("steps").get(0).path("changes").get(0).path("field").asText())
                .isEqualTo("executor_config.command");
        assertThat(plan.path("steps").get(0).path("changes").get(0).path("to").asText()).isEqualTo("false");
        assertThat(plan.path("steps").get(1).path("job").asText()).isEqualTo("j-new");
        assertThat(plan.path("failures")).isEmpty();
        assertThat(cluster()).containsOnlyKeys("j-change", "j-new");
    }

    /** Jobs with every kind of field, and strings that YAML would read as something else if written bare. */
    private static void putVariedJobs() {
        api.putJob("""
                {"name":"exp-parent","displayname":"Nightly: export","timezone":"Europe/Berlin","schedule":"0 30 2 * * *",
                 "owner":"ops","owner_email":"ops@example.com","tags":{"role":"web","zone":"a"},
                 "metadata":{"team":"ops","ticket":"030","flag":"true","empty":""},"retries":3,"concurrency":"forbid",
                 "executor":"shell","executor_config":{"command":"echo 'a: b' # not a comment\\nexit 0\\n","shell":"true",
                 "env":"A=1,B=2"},"processors":{"log":{}},"starts_at":"2026-01-01T00:00:00Z",
                 "expires_at":"2040-01-01T00:00:00+02:00","misfire":"skip","misfire_grace":"5m",
                 "expected_duration":"90s","retry_backoff":{"initial":"5s","max":"1m","multiplier":1.5}}""");
        api.putJob("""
                {"name":"exp-child","parent_job":"exp-parent","executor":"shell",
                 "executor_config":{"command":"@every 1m"},"disabled":true}""");
        api.putJob("""
                {"name":"exp-plain","schedule":"@every 10s","executor":"shell","executor_config":{"command":"- x"},
                 "ephemeral":true,"displayname":"yes"}""");
    }

    @Test
    void anExportedDirectoryAppliesBackAsNoChangeAndExportsByteForByte() throws Exception {
        putVariedJobs();
        Map<String, JsonNode> before = cluster();
        Path exported = dir.resolve("exported");

        Run export = jobs("export", exported.toString());
        assertThat(export.exit()).as(export.toString()).isZero();
        assertThat(export.out().strip()).isEqualTo("Exported 3 jobs to " + exported + " (3 written, 0 unchanged).");
        assertThat(list(exported)).containsExactly("exp-child.yaml", "exp-parent.yaml", "exp-plain.yaml");
        String child = Files.readString(exported.resolve("exp-child.yaml"));
        assertThat(child).isEqualTo("""
                name: exp-child
                disabled: true
                retries: 0
                parent_job: exp-parent
                concurrency: allow
                executor: shell
                executor_config:
                  command: '@every 1m'
                ephemeral: false
                misfire: run_once
                """);
        assertThat(Files.readString(exported.resolve("exp-parent.yaml"))).doesNotContain("success_count", "next:",
                "status:", "dependent_jobs", "id:");

        Run dryRun = jobs("apply", "-f", exported.toString(), "--prune", "--dry-run");
        assertThat(dryRun.out()).as(dryRun.toString())
                .isEqualTo("= 3 unchanged\nDry run: 0 to create, 0 to change, 3 unchanged, 0 to delete; nothing was applied.\n");
        Run apply = jobs("apply", "-f", exported.toString(), "--prune");
        assertThat(apply.exit()).as(apply.toString()).isZero();
        assertThat(apply.out()).isEqualTo("= 3 unchanged\n0 created, 0 changed, 3 unchanged, 0 deleted\n");
        assertThat(definitions(cluster())).isEqualTo(definitions(before));

        // The same cluster exports the same bytes, and files that hold them already are not written again.
        Path second = dir.resolve("second");
        assertThat(jobs("export", second.toString()).exit()).isZero();
        for (String name : list(exported)) {
            assertThat(Files.readAllBytes(second.resolve(name))).as(name)
                    .isEqualTo(Files.readAllBytes(exported.resolve(name)));
        }
        Run unchanged = jobs("export", exported.toString());
        assertThat(unchanged.out().strip()).isEqualTo("Exported 3 jobs to " + exported + " (0 written, 3 unchanged).");
    }

    @Test
    void anExportWarnsOfAFileWhoseJobIsGoneAndLeavesIt() throws Exception {
        api.putJob(JobsApiTest.manualJob("exp-gone", "true"));
        api.putJob(JobsApiTest.manualJob("exp-kept", "true"));
        Path exported = dir.resolve("exported");
        assertThat(jobs("export", exported.toString()).exit()).isZero();
        api.delete("/v1/jobs/exp-gone");

        Run r = jobs("export", exported.toString());
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.err().strip()).isEqualTo("Warning: " + exported.resolve("exp-gone.yaml") + " is named after no"
                + " job of the cluster; left as it is (delete it, or applying the directory creates that job again)");
        assertThat(r.out().strip()).isEqualTo("Exported 1 job to " + exported + " (0 written, 1 unchanged).");
        assertThat(list(exported)).containsExactly("exp-gone.yaml", "exp-kept.yaml");
    }

    @Test
    void anExportAsJsonAppliesBackAsNoChangeToo() throws Exception {
        putVariedJobs();
        Path exported = dir.resolve("json");
        Run export = jobs("export", exported.toString(), "--format", "json");
        assertThat(export.exit()).as(export.toString()).isZero();
        assertThat(list(exported)).containsExactly("exp-child.json", "exp-parent.json", "exp-plain.json");
        JsonNode child = Api.JSON.readTree(exported.resolve("exp-child.json").toFile());
        assertThat(child.path("parent_job").asText()).isEqualTo("exp-parent");
        Run apply = jobs("apply", "-f", exported.toString(), "--prune");
        assertThat(apply.out()).as(apply.toString()).isEqualTo("= 3 unchanged\n0 created, 0 changed, 3 unchanged, 0 deleted\n");
    }

    @Test
    void anExportAppliedToAnEmptyClusterRecreatesTheSameJobs() throws Exception {
        putVariedJobs();
        Map<String, JsonNode> before = cluster();
        Path exported = dir.resolve("backup");
        assertThat(jobs("export", exported.toString()).exit()).isZero();
        deleteEveryJob();

        Run r = jobs("apply", "-f", exported.toString());
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).isEqualTo("+ create exp-parent\n+ create exp-child\n+ create exp-plain\n"
                + "3 created, 0 changed, 0 unchanged, 0 deleted\n");
        assertThat(definitions(cluster())).isEqualTo(definitions(before));
    }

    /** The jobs without what the store keeps for itself (counters, status, next instant). */
    private static Map<String, JsonNode> definitions(Map<String, JsonNode> jobs) {
        Map<String, JsonNode> out = new TreeMap<>();
        jobs.forEach((name, job) -> {
            ObjectNode copy = job.deepCopy();
            copy.remove(List.of("success_count", "error_count", "last_success", "last_error", "status", "next",
                    "missed_count", "skipped_count"));
            out.put(name, copy);
        });
        return out;
    }

    private static List<String> list(Path d) throws IOException {
        try (Stream<Path> files = Files.list(d)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
