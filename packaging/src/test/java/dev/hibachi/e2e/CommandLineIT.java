package dev.hibachi.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code hibachi} client commands as a user runs them: the distribution's launcher, {@code bin/hibachi}, as
 * its own process against an agent process, job definitions applied from a directory, listed, exported and
 * applied back unchanged, and the exit codes a script sees.
 */
@Order(1)
class CommandLineIT {
    @RegisterExtension
    static final ClusterExtension SOLO = ClusterExtension.perClass(Topology.singleServer());
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    /** One run of {@code bin/hibachi}: its exit code and what it printed. */
    record Run(int exit, String out, String err) {
    }

    /** Runs {@code bin/hibachi args...} with {@code env} added to this process's environment, and waits for it. */
    private Run hibachi(Map<String, String> env, String... args) {
        List<String> command = new ArrayList<>(List.of(Distribution.launcher().toString()));
        command.addAll(List.of(args));
        try {
            Path out = Files.createTempFile(dir, "out", ".txt");
            Path err = Files.createTempFile(dir, "err", ".txt");
            ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            pb.environment().put("JAVA_OPTS", "-Xmx128m");
            pb.environment().remove("HIBACHI_HTTP_ADDR");
            pb.environment().remove("HIBACHI_ADDR");
            pb.environment().putAll(env);
            Process p = pb.start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + " did not end within 60 s");
            }
            return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private Run hibachi(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--address", SOLO.cluster().agent("solo").spec().httpAddress()));
        return hibachi(Map.of(), all.toArray(String[]::new));
    }

    @Test
    void applyListExportAndApplyBackFromTheLauncher() throws Exception {
        Path jobs = dir.resolve("jobs");
        Files.createDirectories(jobs.resolve("team-a"));
        Files.writeString(jobs.resolve("team-a/chain.yaml"), """
                - name: e2e-cli-child
                  parent_job: e2e-cli-parent
                  executor: shell
                  executor_config: {command: "echo child"}
                - name: e2e-cli-parent
                  schedule: "@every 1h"
                  executor: shell
                  executor_config: {command: "echo parent"}
                  tags: {site: local}
                """);
        Files.writeString(jobs.resolve("solo.json"), """
                {"name": "e2e-cli-solo", "schedule": "@manually", "executor": "shell",
                 "executor_config": {"command": "true"}, "metadata": {"owner": "e2e"}}""");

        Run applied = hibachi("jobs", "apply", "-f", jobs.toString());
        assertThat(applied.exit()).as(applied.toString()).isZero();
        assertThat(applied.out()).isEqualTo("""
                + create e2e-cli-parent
                + create e2e-cli-child
                + create e2e-cli-solo
                3 created, 0 changed, 0 unchanged, 0 deleted
                """);

        Run listed = hibachi(Map.of("HIBACHI_HTTP_ADDR", SOLO.cluster().agent("solo").spec().httpAddress()),
                "jobs", "list", "--json");
        assertThat(listed.exit()).as(listed.toString()).isZero();
        JsonNode list = JSON.readTree(listed.out());
        List<String> names = new ArrayList<>();
        list.forEach(j -> names.add(j.path("name").asText()));
        assertThat(names).containsExactly("e2e-cli-child", "e2e-cli-parent", "e2e-cli-solo");
        assertThat(list.get(0).path("parent_job").asText()).isEqualTo("e2e-cli-parent");

        Path exported = dir.resolve("exported");
        Run export = hibachi("jobs", "export", exported.toString());
        assertThat(export.exit()).as(export.toString()).isZero();
        try (Stream<Path> files = Files.list(exported)) {
            assertThat(files.map(f -> f.getFileName().toString()).sorted())
                    .containsExactly("e2e-cli-child.yaml", "e2e-cli-parent.yaml", "e2e-cli-solo.yaml");
        }
        assertThat(Files.readString(exported.resolve("e2e-cli-parent.yaml"))).startsWith("name: e2e-cli-parent\n")
                .contains("schedule: '@every 1h'\n").doesNotContain("success_count");

        Run again = hibachi("jobs", "apply", "-f", exported.toString(), "--prune");
        assertThat(again.exit()).as(again.toString()).isZero();
        assertThat(again.out()).isEqualTo("= 3 unchanged\n0 created, 0 changed, 3 unchanged, 0 deleted\n");
    }

    @Test
    void aScriptSeesExitCode1ForTheAgentsRefusalAnd2ForABadFile() throws Exception {
        Run unknown = hibachi("jobs", "get", "e2e-cli-ghost");
        assertThat(unknown.exit()).as(unknown.toString()).isEqualTo(1);
        assertThat(unknown.err().strip()).isEqualTo("Error: job not found: e2e-cli-ghost (HTTP 404)");
        assertThat(unknown.out()).isEmpty();

        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, "name: e2e-cli-bad\nschedule: '@manually'\nexecutor: shell\nretries: lots\n");
        Run badFile = hibachi("jobs", "apply", "-f", bad.toString());
        assertThat(badFile.exit()).as(badFile.toString()).isEqualTo(2);
        assertThat(badFile.err()).startsWith("Error: " + bad + ", line 4, column 1: field \"retries\" has the wrong type");

        Run usage = hibachi("jobs", "get");
        assertThat(usage.exit()).as(usage.toString()).isEqualTo(2);
    }
}
