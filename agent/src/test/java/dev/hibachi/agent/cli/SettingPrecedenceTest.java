package dev.hibachi.agent.cli;

import dev.hibachi.agent.AgentConfig;
import dev.hibachi.agent.AgentConfig.HostPort;
import dev.hibachi.agent.cluster.GossipKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** A flag beats its HIBACHI_* variable, which beats the --config file, which beats the default. */
class SettingPrecedenceTest {

    @TempDir
    Path tmp;

    /**
     * One setting at four levels. Each level adds its source on top of the ones before, and the value must
     * change each time: so each source is shown to beat every source below it.
     */
    record Row(String name, Function<AgentConfig, Object> read,
               Object byDefault,
               String fileYaml, Object fromFile,
               String envVar, String envValue, Object fromEnv,
               List<String> flagArgs, Object fromFlag) {
        @Override
        public String toString() {
            return name;
        }
    }

    // Three keys of the three sizes, with base64's + and / so that YAML and variables are shown to keep them intact.
    private static final String FILE_KEY = "q+8/AAECAwQFBgcICQoLDA==";
    private static final String ENV_KEY = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYX";
    private static final String FLAG_KEY = "//////////////////////////////////////////8=";

    static List<Row> rows() {
        return List.of(
                new Row("node-name", AgentConfig::nodeName, TestCli.HOST_NAME,
                        "node-name: file-node", "file-node",
                        "HIBACHI_NODE_NAME", "env-node", "env-node",
                        List.of("--node-name", "flag-node"), "flag-node"),
                new Row("bootstrap-expect", AgentConfig::bootstrapExpect, 0,
                        "bootstrap-expect: 2", 2,
                        "HIBACHI_BOOTSTRAP_EXPECT", "3", 3,
                        List.of("--bootstrap-expect", "4"), 4),
                new Row("server", AgentConfig::server, false,
                        "server: true", true,
                        "HIBACHI_SERVER", "false", false,
                        List.of("--server"), true),
                new Row("join (a list)", AgentConfig::join, List.of(),
                        "join: [f1, 'f2:9000']", List.of("f1:8946", "f2:9000"),
                        "HIBACHI_JOIN", "e1,e2:9001", List.of("e1:8946", "e2:9001"),
                        List.of("--join", "x1", "--join", "x2"), List.of("x1:8946", "x2:8946")),
                new Row("retry-join", AgentConfig::retryJoin, List.of(),
                        "retry-join: [f1]", List.of("f1:8946"),
                        "HIBACHI_RETRY_JOIN", "e1", List.of("e1:8946"),
                        List.of("--retry-join", "x1"), List.of("x1:8946")),
                new Row("tags (a map; each source replaces the whole map)", AgentConfig::tags, Map.of(),
                        "tags:\n  role: file\n  dc: eu", Map.of("role", "file", "dc", "eu"),
                        "HIBACHI_TAGS", "role=env", Map.of("role", "env"),
                        List.of("--tag", "role=flag", "--tag", "rack=r1"), Map.of("role", "flag", "rack", "r1")),
                new Row("http-addr", c -> c.httpAddr().toString(), "127.0.0.1:8080",
                        "http-addr: ':8081'", "0.0.0.0:8081",
                        "HIBACHI_HTTP_ADDR", "10.0.0.1:8082", "10.0.0.1:8082",
                        List.of("--http-addr", "10.0.0.2"), "10.0.0.2:8080"),
                new Row("bind-addr", c -> c.bindAddr().toString(), TestCli.PRIVATE_ADDRESS + ":8946",
                        "bind-addr: 10.0.0.1", "10.0.0.1:8946",
                        "HIBACHI_BIND_ADDR", "10.0.0.2:9000", "10.0.0.2:9000",
                        List.of("--bind-addr", "10.0.0.3:9001"), "10.0.0.3:9001"),
                new Row("advertise-addr", c -> c.advertiseAddr().toString(), TestCli.PRIVATE_ADDRESS + ":8946",
                        "advertise-addr: 1.1.1.1", "1.1.1.1:8946",
                        "HIBACHI_ADVERTISE_ADDR", "2.2.2.2:7000", "2.2.2.2:7000",
                        List.of("--advertise-addr", "3.3.3.3"), "3.3.3.3:8946"),
                new Row("rpc-port", AgentConfig::rpcPort, 6868,
                        "rpc-port: 7001", 7001,
                        "HIBACHI_RPC_PORT", "7002", 7002,
                        List.of("--rpc-port", "7003"), 7003),
                new Row("retry-interval", AgentConfig::retryInterval, Duration.ofSeconds(30),
                        "retry-interval: 1m", Duration.ofMinutes(1),
                        "HIBACHI_RETRY_INTERVAL", "2m", Duration.ofMinutes(2),
                        List.of("--retry-interval", "1.5s"), Duration.ofMillis(1500)),
                new Row("retry-max", AgentConfig::retryMax, 0,
                        "retry-max: 5", 5,
                        "HIBACHI_RETRY_MAX", "6", 6,
                        List.of("--retry-max", "7"), 7),
                new Row("reconnect-timeout (flag by Dkron's name)", AgentConfig::reconnectTimeout,
                        Duration.ofHours(24),
                        "reconnect-timeout: 1h", Duration.ofHours(1),
                        "HIBACHI_RECONNECT_TIMEOUT", "10m", Duration.ofMinutes(10),
                        List.of("--serf-reconnect-timeout", "5s"), Duration.ofSeconds(5)),
                new Row("shutdown-grace", AgentConfig::shutdownGrace, Duration.ofSeconds(30),
                        "shutdown-grace: 0s", Duration.ZERO,
                        "HIBACHI_SHUTDOWN_GRACE", "1m", Duration.ofMinutes(1),
                        List.of("--shutdown-grace", "2m"), Duration.ofMinutes(2)),
                new Row("kill-grace", AgentConfig::killGrace, Duration.ofSeconds(5),
                        "kill-grace: 0s", Duration.ZERO,
                        "HIBACHI_KILL_GRACE", "10s", Duration.ofSeconds(10),
                        List.of("--kill-grace", "1s"), Duration.ofSeconds(1)),
                new Row("executions-kept", AgentConfig::executionsKept, 100,
                        "executions-kept: 10", 10,
                        "HIBACHI_EXECUTIONS_KEPT", "20", 20,
                        List.of("--executions-kept", "30"), 30),
                new Row("encrypt (a secret: parsed, never kept as text)", AgentConfig::encrypt, Optional.empty(),
                        "encrypt: " + FILE_KEY, Optional.of(GossipKey.parse(FILE_KEY)),
                        "HIBACHI_ENCRYPT", ENV_KEY, Optional.of(GossipKey.parse(ENV_KEY)),
                        List.of("--encrypt", FLAG_KEY), Optional.of(GossipKey.parse(FLAG_KEY))),
                new Row("data-dir", AgentConfig::dataDir, Path.of("hibachi.data").toAbsolutePath(),
                        "data-dir: /var/lib/file", Path.of("/var/lib/file"),
                        "HIBACHI_DATA_DIR", "/var/lib/env", Path.of("/var/lib/env"),
                        List.of("--data-dir", "/var/lib/flag"), Path.of("/var/lib/flag")));
    }

    static Stream<Arguments> levels() {
        List<Arguments> out = new ArrayList<>();
        for (Row row : rows()) {
            for (String level : List.of("default", "file", "env", "flag")) {
                out.add(Arguments.of(row, level));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("levels")
    void eachSourceBeatsTheOnesBelowIt(Row row, String level) throws IOException {
        Map<String, String> env = new HashMap<>();
        List<String> args = new ArrayList<>();
        Object expected = row.byDefault();
        if (!level.equals("default")) {
            args.addAll(List.of("--config", write(row.fileYaml())));
            expected = row.fromFile();
        }
        if (level.equals("env") || level.equals("flag")) {
            env.put(row.envVar(), row.envValue());
            expected = row.fromEnv();
        }
        if (level.equals("flag")) {
            args.addAll(row.flagArgs());
            expected = row.fromFlag();
        }

        AgentConfig config = new TestCli(env).config(args.toArray(String[]::new));

        assertThat(row.read().apply(config)).isEqualTo(expected);
    }

    @Test
    void hibachiConfigNamesTheFileAndTheFlagBeatsIt() throws IOException {
        String fromEnv = write("node-name: from-env-file");
        String fromFlag = write("node-name: from-flag-file");

        assertThat(new TestCli(Map.of("HIBACHI_CONFIG", fromEnv)).config().nodeName()).isEqualTo("from-env-file");
        assertThat(new TestCli(Map.of("HIBACHI_CONFIG", fromEnv)).config("--config", fromFlag).nodeName())
                .isEqualTo("from-flag-file");
    }

    @Test
    void anEmptyVariableCountsAsUnset() throws IOException {
        AgentConfig config = new TestCli(Map.of("HIBACHI_NODE_NAME", "", "HIBACHI_JOIN", ""))
                .config("--config", write("join: [f1]"));

        assertThat(config.nodeName()).isEqualTo(TestCli.HOST_NAME);
        assertThat(config.join()).containsExactly("f1:8946");
    }

    @Test
    void variableAndFileValuesAreLiteralNotExpanded() throws IOException {
        AgentConfig config = new TestCli(Map.of("HIBACHI_NODE_NAME", "${user.name}-a"))
                .config("--config", write("tags: {path: '${HOME}'}"));

        assertThat(config.nodeName()).isEqualTo("${user.name}-a");
        assertThat(config.tags()).containsEntry("path", "${HOME}");
    }

    @Test
    void theDevFlagComesFromAVariableToo() {
        AgentConfig config = new TestCli(Map.of("HIBACHI_DEV", "true")).config();

        assertThat(config.server()).isTrue();
        assertThat(config.bindAddr()).isEqualTo(new HostPort("127.0.0.1", 8946));
    }

    /** Picocli sets a typed boolean flag to the opposite of its default unless told otherwise. */
    @Test
    void aTypedFlagMeansTrueWhenItsVariableOrFileSaysTrueAlready() throws IOException {
        assertThat(new TestCli(Map.of("HIBACHI_SERVER", "true")).config("--server").server()).isTrue();
        assertThat(new TestCli().config("--server", "--config", write("server: true")).server()).isTrue();
        assertThat(new TestCli(Map.of("HIBACHI_DEV", "true")).config("--dev").bindAddr().host())
                .isEqualTo("127.0.0.1");
    }

    /** Picocli asks for a boolean's default when it meets the flag, before it has read a later --config. */
    @Test
    void theFileIsReadWhereverConfigStandsAmongTheFlags() throws IOException {
        String file = write("node-name: from-file");

        assertThat(new TestCli().config("--server", "--dev", "--config", file).nodeName()).isEqualTo("from-file");
        assertThat(new TestCli().config("--config", file, "--server").nodeName()).isEqualTo("from-file");
    }

    /** A broken HIBACHI_CONFIG file is not read, let alone refused, when --config names another. */
    @Test
    void aFlagNamedFileReplacesABrokenVariableNamedOne() throws IOException {
        TestCli cli = new TestCli(Map.of("HIBACHI_CONFIG", write("nodename: typo")));

        assertThat(cli.config("--dev", "--config", write("node-name: good")).nodeName()).isEqualTo("good");
    }

    private String write(String yaml) throws IOException {
        Path file = Files.createTempFile(tmp, "hibachi", ".yml");
        Files.writeString(file, yaml + "\n");
        return file.toString();
    }
}
