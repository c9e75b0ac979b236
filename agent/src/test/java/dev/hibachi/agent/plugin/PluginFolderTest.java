package dev.hibachi.agent.plugin;

import dev.hibachi.agent.exec.ExecutionRequest;
import dev.hibachi.agent.exec.Executor;
import dev.hibachi.agent.exec.ShellExecutor;
import dev.hibachi.agent.process.ProcessorRegistry;
import dev.hibachi.agent.run.ExecutorRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Plugin jars built at test time, loaded from a folder as an agent loads them. */
class PluginFolderTest {
    @TempDir
    Path tmp;

    @Test
    void aPluginJarAddsExecutorsAndProcessorsButCannotReplaceABuiltIn() throws Exception {
        Path plugins = Files.createDirectories(tmp.resolve("plugins"));
        new PluginJar()
                .source("acme.EchoExecutor", PluginJar.echoExecutor("acme.EchoExecutor", "echo-plugin", "echoed"))
                .source("acme.FakeShell", PluginJar.echoExecutor("acme.FakeShell", "shell", "not the shell"))
                .source("acme.Upper", PluginJar.upperCaseProcessor("acme.Upper", "upper"))
                .service(Executor.class, "acme.EchoExecutor")
                .service(Executor.class, "acme.FakeShell")
                .service("dev.hibachi.agent.process.Processor", "acme.Upper")
                .writeTo(plugins.resolve("acme.jar"));

        try (PluginFolder folder = PluginFolder.open(plugins, getClass().getClassLoader())) {
            ExecutorRegistry executors = ExecutorRegistry.load(folder);
            assertThat(executors.names()).contains("echo-plugin", "shell");
            assertThat(executors.get("shell")).get().isInstanceOf(ShellExecutor.class);
            var result = executors.get("echo-plugin").orElseThrow()
                    .start(new ExecutionRequest("j", Map.of("message", "hi"), 1, 1, null, null))
                    .completion().join();
            assertThat(result.output()).isEqualTo("echoed hi (job j)\n");
            assertThat(ProcessorRegistry.load(folder).names()).contains("files", "log", "upper");
        }
    }

    @Test
    void aBrokenJarOrABrokenEntryIsSkippedAndTheRestLoads() throws Exception {
        Path plugins = Files.createDirectories(tmp.resolve("plugins"));
        Files.writeString(plugins.resolve("a-broken.jar"), "not a zip at all");
        Files.writeString(plugins.resolve("notes.txt"), "not a jar: ignored");
        String throwing = """
                package bad;
                public final class Throwing implements dev.hibachi.agent.exec.Executor {
                    public Throwing() { throw new IllegalStateException("cannot start"); }
                    public String name() { return "throwing"; }
                    public void validate(java.util.Map<String, String> c) { }
                    public dev.hibachi.agent.exec.RunningExecution start(dev.hibachi.agent.exec.ExecutionRequest r) {
                        return null;
                    }
                }
                """;
        new PluginJar()
                .source("bad.Throwing", throwing)
                .source("good.Echo", PluginJar.echoExecutor("good.Echo", "echo-plugin", "ok"))
                .service(Executor.class, "bad.Missing")
                .service(Executor.class, "bad.Throwing")
                .service(Executor.class, "good.Echo")
                .writeTo(plugins.resolve("b-mixed.jar"));

        try (PluginFolder folder = PluginFolder.open(plugins, getClass().getClassLoader())) {
            assertThat(folder.jars()).extracting(p -> p.getFileName().toString()).containsExactly("b-mixed.jar");
            assertThat(ExecutorRegistry.load(folder).names()).contains("echo-plugin", "shell")
                    .doesNotContain("throwing");
        }
    }

    @Test
    void noFolderMeansTheBuiltInsOnly() throws Exception {
        try (PluginFolder folder = PluginFolder.open(tmp.resolve("absent"), getClass().getClassLoader())) {
            assertThat(folder.jars()).isEmpty();
            assertThat(ExecutorRegistry.load(folder).names()).contains("shell")
                    .isEqualTo(ExecutorRegistry.builtIn().names());
            assertThat(ProcessorRegistry.load(folder).names()).contains("files", "log")
                    .isEqualTo(ProcessorRegistry.builtIn().names());
        }
    }
}
