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
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** The --config file through the command line: what it accepts, and how it refuses the rest. */
class ConfigFileTest {

    @TempDir
    Path tmp;

    @Test
    void everyKeyIsTheFlagNameWithoutDashes() throws IOException {
        Path file = write("""
                server: true
                bootstrap-expect: 1
                node-name: web-1
                bind-addr: 10.0.0.1:9000
                advertise-addr: 203.0.113.7
                http-addr: ":8081"
                rpc-port: 7000
                join:
                  - 10.0.0.2
                  - 10.0.0.3:9000
                retry-join: [10.0.0.4]
                retry-interval: 5s
                retry-max: 3
                reconnect-timeout: 1h
                tags:
                  role: web
                  dc: eu
                  weight: 3
                data-dir: /var/lib/hibachi
                log-level: debug
                shutdown-grace: 1m
                executions-kept: 7
                encrypt: q+8/AAECAwQFBgcICQoLDA==
                """);

        TestCli cli = new TestCli();
        AgentConfig c = cli.config("--config", file.toString());

        assertThat(c.server()).isTrue();
        assertThat(c.nodeName()).isEqualTo("web-1");
        assertThat(c.bindAddr()).isEqualTo(new HostPort("10.0.0.1", 9000));
        assertThat(c.advertiseAddr()).isEqualTo(new HostPort("203.0.113.7", 9000));
        assertThat(c.httpAddr()).isEqualTo(new HostPort("0.0.0.0", 8081));
        assertThat(c.rpcPort()).isEqualTo(7000);
        assertThat(c.join()).containsExactly("10.0.0.2:8946", "10.0.0.3:9000");
        assertThat(c.retryJoin()).containsExactly("10.0.0.4:8946");
        assertThat(c.retryInterval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.retryMax()).isEqualTo(3);
        assertThat(c.reconnectTimeout()).isEqualTo(Duration.ofHours(1));
        assertThat(c.tags()).isEqualTo(Map.of("role", "web", "dc", "eu", "weight", "3"));
        assertThat(c.dataDir()).isEqualTo(Path.of("/var/lib/hibachi"));
        assertThat(c.shutdownGrace()).isEqualTo(Duration.ofMinutes(1));
        assertThat(c.executionsKept()).isEqualTo(7);
        assertThat(c.encrypt()).contains(GossipKey.parse("q+8/AAECAwQFBgcICQoLDA=="));
        assertThat(cli.agent.logLevel()).hasToString("DEBUG");
    }

    @Test
    void theNotificationRulesComeFromTheFile() throws IOException {
        AgentConfig c = new TestCli().config("--config", write("""
                notify-on: change
                slack-notify-on: failure
                notify-audit: true
                notify-cluster-events: yes
                """).toString());

        assertThat(c.notifications()).isEqualTo(new dev.hibachi.agent.notify.NotifySettings(
                dev.hibachi.agent.notify.NotifyOn.CHANGE, Map.of("slack", dev.hibachi.agent.notify.NotifyOn.FAILURE),
                true, true));
    }

    /** Text keeps the characters written: YAML 1.1 would turn a bare no into false. */
    @Test
    void textIsTakenAsWritten() throws IOException {
        AgentConfig c = new TestCli().config("--config", write("""
                node-name: no
                tags: {country: no, on: off, id: 007, ratio: 1.50}
                """).toString());

        assertThat(c.nodeName()).isEqualTo("no");
        assertThat(c.tags()).isEqualTo(Map.of("country", "no", "on", "off", "id", "007", "ratio", "1.50"));
    }

    @Test
    void booleansTakeYamlsSpellings() throws IOException {
        assertThat(new TestCli().config("--config", write("server: yes").toString()).server()).isTrue();
        assertThat(new TestCli().config("--config", write("server: 'True'").toString()).server()).isTrue();
        assertThat(new TestCli().config("--config", write("server: off").toString()).server()).isFalse();
    }

    @Test
    void anEmptyFileOrEmptyListsLeaveTheDefaults() throws IOException {
        AgentConfig fromEmpty = new TestCli().config("--config", write("").toString());
        AgentConfig fromComments = new TestCli().config("--config", write("# nothing yet\n").toString());
        AgentConfig fromEmptyLists = new TestCli().config("--config", write("join: []\ntags: {}").toString());
        AgentConfig none = new TestCli().config();

        assertThat(fromEmpty).isEqualTo(none);
        assertThat(fromComments).isEqualTo(none);
        assertThat(fromEmptyLists).isEqualTo(none);
    }

    static Stream<Arguments> badFiles() {
        return Stream.of(
                arguments("nodename: x", ", line 1: unknown key 'nodename' (the keys are the flag names without"
                        + " dashes: advertise-addr, artifacts-budget, bind-addr, "),
                arguments("node-name: a\ntag: {role: web}", ", line 2: unknown key 'tag'"),
                arguments("config: other.yml", ", line 1: unknown key 'config'"),
                arguments("serf-reconnect-timeout: 1h", ", line 1: unknown key 'serf-reconnect-timeout'"),
                arguments("bootstrap-expect: three", ", line 1: bootstrap-expect: expected a whole number, got 'three'"),
                arguments("rpc-port: 99999999999", ", line 1: rpc-port: expected a whole number, got '99999999999'"),
                arguments("retry-max: 1.5", ", line 1: retry-max: expected a whole number, got '1.5'"),
                arguments("server: maybe", ", line 1: server: expected true or false, got 'maybe'"),
                arguments("server: [true]", ", line 1: server: expected true or false, got a list"),
                arguments("node-name:", ", line 1: node-name: expected a single value, got no value"),
                arguments("node-name: [a, b]", ", line 1: node-name: expected a single value, got a list"),
                arguments("node-name: {a: b}", ", line 1: node-name: expected a single value, got a map"),
                arguments("join: 10.0.0.1", ", line 1: join: expected a list, e.g. [a, b], got '10.0.0.1'"),
                arguments("join: [a, {b: c}]", ", line 1: join: expected a single value, got a map"),
                arguments("join: ['a,b']", ", line 1: join: item 'a,b' has a comma"),
                arguments("tags: [role=web]", ", line 1: tags: expected a map of key: value, got a list"),
                arguments("tags: {role: [a]}", ", line 1: tags: expected a single value, got a list"),
                arguments("tags: {role: 'a,b'}", ", line 1: tags: role: a tag value cannot hold a comma"),
                arguments("tags: {'a=b': c}", ", line 1: tags: 'a=b' cannot be a tag name"),
                arguments("tags: {role: a, role: b}", ", line 1: tags: role: set twice"),
                arguments("node-name: a\nnode-name: b", ", line 2: node-name: already set on line 1"),
                arguments("- node-name: a", ": expected a map of flag names (without dashes) to values, got a list"),
                arguments("just text", ": expected a map of flag names (without dashes) to values, got 'just text'"),
                arguments("node-name: [unclosed", ", line 1: not valid YAML: expected ',' or ']'"),
                arguments("node-name: !!java.io.File x", ", line 1: not valid YAML: Global tag is not allowed"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badFiles")
    void aBadFileIsRefusedNamingTheFileAndKey(String yaml, String message) throws IOException {
        Path file = write(yaml);
        TestCli cli = new TestCli();

        assertThat(cli.execute("--dev", "--config", file.toString())).isEqualTo(2);

        assertThat(cli.err()).startsWith("config file " + file + message);
        assertThat(cli.started).isEmpty();
    }

    @Test
    void aMissingFileIsRefused() {
        Path file = tmp.resolve("missing.yml");
        TestCli cli = new TestCli();

        assertThat(cli.execute("--dev", "--config", file.toString())).isEqualTo(2);

        assertThat(cli.err()).startsWith("config file " + file + ": no such file");
        assertThat(cli.started).isEmpty();
    }

    @Test
    void aMissingFileNamedByTheVariableIsRefused() {
        Path file = tmp.resolve("missing.yml");
        TestCli cli = new TestCli(Map.of("HIBACHI_CONFIG", file.toString()));

        assertThat(cli.execute("--dev")).isEqualTo(2);

        assertThat(cli.err()).startsWith("config file " + file + ": no such file");
        assertThat(cli.started).isEmpty();
    }

    /** Every flag typed leaves nothing for the file to give; it is still checked. */
    @Test
    void aBadFileIsRefusedEvenWhenEveryFlagIsGiven() throws IOException {
        Path file = write("nodename: typo");
        TestCli cli = new TestCli();

        int code = cli.execute("--config", file.toString(), "--dev", "--server", "--bootstrap-expect", "1",
                "--node-name", "n", "--bind-addr", "127.0.0.1", "--advertise-addr", "127.0.0.1",
                "--http-addr", "127.0.0.1:8080", "--rpc-port", "6868", "--join", "a", "--retry-join", "b",
                "--retry-interval", "30s", "--retry-max", "0", "--reconnect-timeout", "24h", "--tag", "a=b",
                "--data-dir", "d", "--log-level", "info", "--shutdown-grace", "30s", "--kill-grace", "5s",
                "--executions-kept", "100");

        assertThat(code).isEqualTo(2);
        assertThat(cli.err()).contains("unknown key 'nodename'");
        assertThat(cli.started).isEmpty();
    }

    private Path write(String yaml) throws IOException {
        return Files.writeString(Files.createTempFile(tmp, "hibachi", ".yml"), yaml);
    }
}
