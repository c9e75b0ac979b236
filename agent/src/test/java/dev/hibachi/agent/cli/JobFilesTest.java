package dev.hibachi.agent.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Reading job definition files: formats, directories, and errors that name the file and line. */
class JobFilesTest {
    @TempDir
    Path dir;

    private Path file(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
        return p;
    }

    private static List<String> names(List<JobFiles.Defined> jobs) {
        return jobs.stream().map(d -> d.definition().name()).toList();
    }

    @Test
    void readsOneJobOrAListFromJsonAndYamlAndYamlDocuments() throws Exception {
        file("a.json", "{\"name\":\"a\",\"schedule\":\"@every 1m\",\"executor\":\"shell\","
                + "\"executor_config\":{\"command\":\"true\"}}");
        file("b.yaml", """
                - name: b1
                  schedule: "@every 1m"
                  executor: shell
                  executor_config: {command: "echo b1"}
                - name: b2
                  schedule: "0 0 * * * *"
                  executor: shell
                  executor_config:
                    command: |
                      echo one
                      echo two
                """);
        file("c.yml", """
                name: c1
                schedule: "@manually"
                executor: shell
                ---
                name: c2
                parent_job: c1
                executor: shell
                """);
        List<JobFiles.Defined> jobs = JobFiles.read(List.of(dir));
        assertThat(names(jobs)).containsExactly("a", "b1", "b2", "c1", "c2");
        assertThat(jobs.get(2).definition().fields().path("executor_config").path("command").asText())
                .isEqualTo("echo one\necho two\n");
        assertThat(jobs.get(4).definition().parent()).isEqualTo("c1");
        assertThat(jobs.get(4).line()).isEqualTo(5);
    }

    @Test
    void aDirectoryIsReadRecursivelyInPathOrderWithoutHiddenFilesOrOtherExtensions() throws Exception {
        file("z.yaml", "name: z\nschedule: '@manually'\nexecutor: shell\n");
        file("sub/m.json", "{\"name\":\"m\",\"schedule\":\"@manually\",\"executor\":\"shell\"}");
        file("a.yml", "name: a\nschedule: '@manually'\nexecutor: shell\n");
        file(".git/config.yaml", "not: a job\n");
        file(".hidden.yaml", "not: a job\n");
        file("README.md", "# jobs\n");
        assertThat(names(JobFiles.read(List.of(dir)))).containsExactly("a", "m", "z");
    }

    @Test
    void anUnknownFieldNamesTheFileLineAndField() throws Exception {
        Path f = file("jobs.yaml", """
                name: a
                schedule: "@every 1m"
                shedule: "@every 2m"
                executor: shell
                """);
        assertThatThrownBy(() -> JobFiles.read(List.of(dir))).isInstanceOf(JobDefinitionException.class)
                .hasMessage(f + ", line 3, column 1: unknown field \"shedule\"");
    }

    @Test
    void badYamlAndBadJsonNameTheFileAndLine() throws Exception {
        Path yaml = file("bad.yaml", "name: a\nschedule: @every 1m\n");
        assertThatThrownBy(() -> JobFiles.readFile(yaml)).hasMessageStartingWith(yaml + ", line 2, column ")
                .hasMessageContaining("not valid YAML");
        Path json = file("bad.json", "{\"name\": \"a\",\n \"schedule\": }");
        assertThatThrownBy(() -> JobFiles.readFile(json)).hasMessageStartingWith(json + ", line 2, column ")
                .hasMessageContaining("not valid JSON");
    }

    @Test
    void aWrongTypeADuplicateKeyAndANonObjectAreRefused() throws Exception {
        Path type = file("type.yaml", "name: a\nschedule: '@manually'\nexecutor: shell\nretries: many\n");
        assertThatThrownBy(() -> JobFiles.readFile(type)).hasMessageStartingWith(type + ", line 4")
                .hasMessageContaining("field \"retries\" has the wrong type");
        Path twice = file("twice.json", "{\"name\":\"a\",\"name\":\"b\",\"schedule\":\"@manually\"}");
        assertThatThrownBy(() -> JobFiles.readFile(twice)).hasMessageStartingWith(twice + ", line 1")
                .hasMessageContaining("Duplicate field 'name'");
        Path text = file("text.yaml", "just a string\n");
        assertThatThrownBy(() -> JobFiles.readFile(text))
                .hasMessage(text + ", line 1, column 1: expected a job (an object with a name, a schedule, ...) or a"
                        + " list of jobs, not a string");
    }

    @Test
    void aJobTheStoreWouldRefuseIsRefusedWithItsFileAndLine() throws Exception {
        Path f = file("jobs.yaml", """
                - name: good
                  schedule: "@manually"
                  executor: shell
                - name: bad
                  schedule: "every minute"
                  executor: shell
                """);
        assertThatThrownBy(() -> JobFiles.readFile(f)).hasMessageStartingWith(f + ", line 4, column 3: job \"bad\": ");
        Path noName = file("noname.json", "{\"schedule\":\"@manually\"}");
        assertThatThrownBy(() -> JobFiles.readFile(noName)).hasMessage(noName + ", line 1, column 1: name is required");
    }

    @Test
    void aNameDefinedTwiceNamesBothPlaces() throws Exception {
        Path a = file("a.yaml", "name: x\nschedule: '@manually'\nexecutor: shell\n");
        Path b = file("b.json", "[{\"name\":\"y\",\"schedule\":\"@manually\"},\n{\"name\":\"x\",\"schedule\":\"@manually\"}]");
        assertThatThrownBy(() -> JobFiles.read(List.of(dir)))
                .hasMessage("job \"x\" is defined twice: in " + a + ", line 1 and in " + b + ", line 2");
    }

    @Test
    void aMissingPathOrAFileOfAnotherKindIsRefused() throws Exception {
        assertThatThrownBy(() -> JobFiles.read(List.of(dir.resolve("nope"))))
                .hasMessage(dir.resolve("nope") + ": no such file or directory");
        Path txt = file("jobs.txt", "");
        assertThatThrownBy(() -> JobFiles.read(List.of(txt))).hasMessageContaining("not a job file");
    }

    @Test
    void theServersReadOnlyFieldsAreAcceptedAndLeftOut() throws Exception {
        Path f = file("from-get.json", "{\"id\":\"a\",\"name\":\"a\",\"schedule\":\"@manually\",\"executor\":\"shell\","
                + "\"success_count\":4,\"error_count\":1,\"status\":\"success\",\"next\":\"0001-01-01T00:00:00Z\","
                + "\"last_success\":\"2026-01-01T00:00:00Z\",\"dependent_jobs\":[\"b\"],\"missed_count\":0}");
        JobDefinition d = JobFiles.readFile(f).get(0).definition();
        assertThat(d.fields().has("success_count")).isFalse();
        assertThat(d.fields().has("id")).isFalse();
        assertThat(d.fields().has("dependent_jobs")).isFalse();
    }
}
