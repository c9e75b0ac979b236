package dev.hibachi.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hibachi.agent.exec.Executor;
import dev.hibachi.agent.plugin.PluginJar;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Executor and processor plugins, and the built-in processors, through the API of real agents: plugin jars are
 * compiled at test time and dropped in each agent's plugins folder. The worker (a client agent) has an executor
 * the server lacks, so a job may name it.
 */
class PluginsApiTest {
    @TempDir
    static Path tmp;
    static TestAgent server;
    static TestAgent worker;
    static Api api;

    @BeforeAll
    static void start() throws Exception {
        Path serverPlugins = Files.createDirectories(tmp.resolve("server-plugins"));
        new PluginJar()
                .source("acme.Echo", PluginJar.echoExecutor("acme.Echo", "echo-plugin", "plugin says"))
                .source("acme.Upper", PluginJar.upperCaseProcessor("acme.Upper", "upper"))
                .service(Executor.class, "acme.Echo")
                .service("dev.hibachi.agent.process.Processor", "acme.Upper")
                .writeTo(serverPlugins.resolve("acme.jar"));
        Path workerPlugins = Files.createDirectories(tmp.resolve("worker-plugins"));
        new PluginJar()
                .source("far.Echo", PluginJar.echoExecutor("far.Echo", "worker-echo", "worker says"))
                .service(Executor.class, "far.Echo")
                .writeTo(workerPlugins.resolve("far.jar"));
        server = TestAgent.start(tmp.resolve("server"), c -> c.withPluginDir(serverPlugins));
        api = server.api();
        worker = TestAgent.client(tmp.resolve("worker"), "worker-1", Map.of("role", "worker"), server,
                c -> c.withPluginDir(workerPlugins));
        await().atMost(Duration.ofSeconds(20)).until(() -> api.get("/v1/members").list().size() == 2);
    }

    @AfterAll
    static void stop() {
        if (worker != null) {
            worker.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private static JsonNode runAndWait(String job) {
        Api.Response done = api.post("/v1/jobs/" + job + "/run?wait=20s", "");
        assertThat(done.status()).as(done.toString()).isEqualTo(200);
        assertThat(done.list()).as(done.toString()).hasSize(1);
        return done.list().get(0);
    }

    @Test
    void aJobRunsAPluginExecutorAndItsConfigIsCheckedByThePlugin() {
        api.putJob("""
                {"name":"plug","schedule":"@manually","executor":"echo-plugin","executor_config":{"message":"hello"},
                 "tags":{"server":"true"}}""");
        JsonNode e = runAndWait("plug");
        assertThat(e.path("success").asBoolean()).isTrue();
        assertThat(e.path("output").asText()).isEqualTo("plugin says hello (job plug)\n");

        Api.Response bad = api.post("/v1/jobs", """
                {"name":"plug-bad","schedule":"@manually","executor":"echo-plugin","executor_config":{}}""");
        assertThat(bad.status()).as(bad.toString()).isEqualTo(400);
        assertThat(bad.json().path("error").asText()).isEqualTo("executor_config.message: is required");
    }

    @Test
    void anUnknownExecutorIs400NamingIt() {
        Api.Response r = api.post("/v1/jobs", """
                {"name":"nope","schedule":"@manually","executor":"nope","executor_config":{}}""");
        assertThat(r.status()).as(r.toString()).isEqualTo(400);
        assertThat(r.json().path("field").asText()).isEqualTo("executor");
        assertThat(r.json().path("error").asText()).startsWith("unknown executor \"nope\" (known: [")
                .contains("echo-plugin", "shell", "worker-echo");
        assertThat(api.get("/v1/jobs/nope").status()).isEqualTo(404);
    }

    @Test
    void anExecutorOnlyAnotherMemberHasIsAcceptedAndRunsThere() {
        api.putJob("""
                {"name":"far","schedule":"@manually","executor":"worker-echo","executor_config":{"message":"hi"},
                 "tags":{"role":"worker"}}""");
        JsonNode e = runAndWait("far");
        assertThat(e.path("node_name").asText()).isEqualTo("worker-1");
        assertThat(e.path("output").asText()).isEqualTo("worker says hi (job far)\n");
    }

    @Test
    void filesStoresThePathOfTheFileItWroteOnTheMemberThatRanTheJob() throws Exception {
        Path logDir = tmp.resolve("job-files");
        api.putJob("""
                {"name":"to-files","schedule":"@manually","executor":"shell","executor_config":{"command":"echo hi"},
                 "tags":{"server":"true"},"processors":{"files":{"log_dir":"%s"}}}""".formatted(logDir));
        JsonNode e = runAndWait("to-files");
        Path file = logDir.resolve(e.path("id").asText() + ".log");
        assertThat(e.path("output").asText()).isEqualTo(file.toString());
        assertThat(e.path("success").asBoolean()).isTrue();
        assertThat(Files.readString(file)).isEqualTo("hi\n");
        assertThat(api.job("to-files").path("processors").toString())
                .isEqualTo("{\"files\":{\"log_dir\":\"" + logDir + "\"}}");
    }

    @Test
    void processorsChainInNameOrderAndAPluginProcessorTakesPart() {
        api.putJob("""
                {"name":"chained","schedule":"@manually","executor":"shell","executor_config":{"command":"echo quiet"},
                 "tags":{"server":"true"},"processors":{"upper":{},"log":{"forward":"true"}}}""");
        assertThat(runAndWait("chained").path("output").asText()).isEqualTo("QUIET\n");

        api.putJob("""
                {"name":"logged","schedule":"@manually","executor":"shell","executor_config":{"command":"echo x"},
                 "tags":{"server":"true"},"processors":{"log":{}}}""");
        assertThat(runAndWait("logged").path("output").asText()).isEqualTo("Output in the hibachi log of node-1");
    }

    @Test
    void aFailingProcessorKeepsTheOutputWithANote() throws Exception {
        Path notADir = Files.writeString(tmp.resolve("not-a-dir"), "");
        api.putJob("""
                {"name":"files-fail","schedule":"@manually","executor":"shell","executor_config":{"command":"echo kept"},
                 "tags":{"server":"true"},"processors":{"files":{"log_dir":"%s"}}}""".formatted(notADir));
        JsonNode e = runAndWait("files-fail");
        assertThat(e.path("success").asBoolean()).isTrue();
        assertThat(e.path("output").asText()).startsWith("kept\n[hibachi: processor files failed: ").endsWith("]\n");
    }

    @Test
    void anUnknownProcessorOrABadSettingIs400NamingTheField() {
        Api.Response unknown = api.post("/v1/jobs", """
                {"name":"p-unknown","schedule":"@manually","executor":"shell","executor_config":{"command":"true"},
                 "processors":{"fluent":{}}}""");
        assertThat(unknown.status()).as(unknown.toString()).isEqualTo(400);
        assertThat(unknown.json().path("field").asText()).isEqualTo("processors.fluent");
        assertThat(unknown.json().path("error").asText()).startsWith("processors.fluent: unknown processor \"fluent\"")
                .contains("files", "log", "upper");

        Api.Response badForward = api.post("/v1/jobs", """
                {"name":"p-bad","schedule":"@manually","executor":"shell","executor_config":{"command":"true"},
                 "processors":{"log":{"forward":"maybe"}}}""");
        assertThat(badForward.status()).as(badForward.toString()).isEqualTo(400);
        assertThat(badForward.json().path("field").asText()).isEqualTo("processors.log.forward");
        assertThat(api.get("/v1/jobs/p-unknown").status()).isEqualTo(404);
        assertThat(api.get("/v1/jobs/p-bad").status()).isEqualTo(404);
    }
}
