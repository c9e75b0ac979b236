package dev.hibachi.agent.cli;

import ch.qos.logback.classic.Level;
import dev.hibachi.agent.AgentConfig;
import dev.hibachi.agent.AgentConfig.HostPort;
import dev.hibachi.agent.cluster.GossipKey;
import dev.hibachi.agent.notify.NotifyOn;
import dev.hibachi.agent.notify.NotifySettings;
import dev.hibachi.agent.metrics.MetricsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

class AgentCommandTest {

    @TempDir
    Path tmp;

    @Test
    void everyFlagReachesTheConfig() {
        AgentConfig c = new TestCli().config(
                "--server", "--bootstrap-expect", "1", "--node-name", "web-1", "--bind-addr", "10.0.0.1:9000",
                "--advertise-addr", "203.0.113.7", "--http-addr", ":8081", "--rpc-port", "7000",
                "--join", "a", "--retry-join", "b:1234", "--retry-interval", "5s", "--retry-max", "3",
                "--reconnect-timeout", "1h", "--tag", "role=web", "--data-dir", "/var/lib/hibachi",
                "--shutdown-grace", "1m", "--kill-grace", "750ms", "--executions-kept", "7",
                "--artifacts-budget", "512KiB", "--encrypt", "AAECAwQFBgcICQoLDA0ODw==", "--plugin-dir",
                "/opt/hibachi-plugins", "--mail-host", "smtp.example.com", "--mail-port", "465", "--mail-username",
                "cron", "--mail-password", "pw", "--mail-from", "cron@example.com", "--mail-subject-prefix", "[x] ",
                "--mail-payload", "{{.Report}}", "--webhook-endpoint", "http://hooks/a", "--webhook-payload",
                "{{.JobName}}", "--webhook-headers", "A:1", "--webhook-headers", "B:x:y", "--pre-webhook-endpoint",
                "http://hooks/b", "--pre-webhook-payload", "{{.NodeName}}", "--pre-webhook-headers", "C:2",
                "--slack-webhook-url", "https://hooks.slack.com/services/T/B/X", "--slack-channel", "#ops",
                "--ui-url", "https://cron.example.com", "--notify-on", "failure", "--mail-notify-on", "change",
                "--webhook-notify-on", "always", "--slack-notify-on", "Never", "--notify-audit",
                "--notify-cluster-events", "--statsd-addr", "statsd.local:8125", "--dog-statsd-addr", "[::1]:8126",
                "--dog-statsd-tags", "env:prod,team:ops", "--enable-prometheus");


        assertThat(c.server()).isTrue();
        assertThat(c.bootstrapExpect()).isEqualTo(1);
        assertThat(c.nodeName()).isEqualTo("web-1");
        assertThat(c.bindAddr()).isEqualTo(new HostPort("10.0.0.1", 9000));
        assertThat(c.advertiseAddr()).isEqualTo(new HostPort("203.0.113.7", 9000));
        assertThat(c.httpAddr()).isEqualTo(new HostPort("0.0.0.0", 8081));
        assertThat(c.rpcPort()).isEqualTo(7000);
        assertThat(c.join()).containsExactly("a:8946");
        assertThat(c.retryJoin()).containsExactly("b:1234");
        assertThat(c.retryInterval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.retryMax()).isEqualTo(3);
        assertThat(c.reconnectTimeout()).isEqualTo(Duration.ofHours(1));
        assertThat(c.tags()).isEqualTo(Map.of("role", "web"));
        assertThat(c.dataDir()).isEqualTo(Path.of("/var/lib/hibachi"));
        assertThat(c.shutdownGrace()).isEqualTo(Duration.ofMinutes(1));
        assertThat(c.killGrace()).isEqualTo(Duration.ofMillis(750));
        assertThat(c.executionsKept()).isEqualTo(7);
        assertThat(c.artifactsBudget()).isEqualTo(512 * 1024);
        assertThat(c.encrypt()).map(GossipKey::base64).contains("AAECAwQFBgcICQoLDA0ODw==");
        assertThat(c.pluginDir()).contains(Path.of("/opt/hibachi-plugins"));
        assertThat(c.channels()).isEqualTo(new dev.hibachi.agent.notify.ChannelSettings("smtp.example.com", 465,
                "cron", "pw", "cron@example.com", "[x] ", "{{.Report}}", "http://hooks/a", "{{.JobName}}",
                List.of("A:1", "B:x:y"), "http://hooks/b", "{{.NodeName}}", List.of("C:2"),
                "https://hooks.slack.com/services/T/B/X", "#ops", "https://cron.example.com"));
        assertThat(c.notifications()).isEqualTo(new NotifySettings(NotifyOn.FAILURE, Map.of("mail", NotifyOn.CHANGE,
                "webhook", NotifyOn.ALWAYS, "slack", NotifyOn.NEVER), true, true));
        assertThat(c.metrics().statsdAddr()).contains(new HostPort("statsd.local", 8125));
        assertThat(c.metrics().dogStatsdAddr()).contains(new HostPort("[::1]", 8126));
        assertThat(c.metrics().dogStatsdTags()).containsExactly(Map.entry("env", "prod"), Map.entry("team", "ops"));
        assertThat(c.metrics().prometheus()).isTrue();
    }

    @Test
    void secretsComeFromTheirVariables() {
        AgentConfig c = new TestCli(Map.of("HIBACHI_MAIL_PASSWORD", "pw", "HIBACHI_SLACK_WEBHOOK_URL",
                "https://hooks.slack.com/services/T/B/X")).config("--dev", "--mail-host", "smtp", "--mail-username",
                "cron", "--mail-from", "cron@example.com");

        assertThat(c.channels().mailPassword()).isEqualTo("pw");
        assertThat(c.channels().slackWebhookUrl()).isEqualTo("https://hooks.slack.com/services/T/B/X");
        assertThat(c.channels().toString()).doesNotContain("pw").doesNotContain("hooks.slack.com");
    }

    @Test
    void notificationsDefaultToDkronsAlwaysAndAChannelWithoutItsOwnRuleFollowsNotifyOn() {
        AgentConfig c = new TestCli().config("--dev", "--notify-on", "success");

        assertThat(new TestCli().config("--dev").notifications()).isEqualTo(NotifySettings.defaults());
        assertThat(c.notifications().ruleFor("slack")).isEqualTo(NotifyOn.SUCCESS);
        assertThat(c.notifications().audit()).isFalse();
        assertThat(new TestCli(Map.of("HIBACHI_SLACK_NOTIFY_ON", "failure")).config("--dev").notifications()
                .ruleFor("slack")).isEqualTo(NotifyOn.FAILURE);
    }

    @Test
    void metricsAreOffByDefaultAndTakeTheirVariables() {
        assertThat(new TestCli().config("--dev").metrics()).isEqualTo(MetricsConfig.NONE);
        AgentConfig fromEnv = new TestCli(Map.of("HIBACHI_STATSD_ADDR", "127.0.0.1:9125",
                "HIBACHI_ENABLE_PROMETHEUS", "true")).config("--dev");
        assertThat(fromEnv.metrics().statsdAddr()).contains(new HostPort("127.0.0.1", 9125));
        assertThat(fromEnv.metrics().prometheus()).isTrue();
    }

    @Test
    void thePluginDirComesFromItsVariableAndIsNoneOutsideADistribution() {
        assertThat(new TestCli(Map.of("HIBACHI_PLUGIN_DIR", "/srv/plugins")).config("--dev").pluginDir())
                .contains(Path.of("/srv/plugins"));
        // These classes are not in a distribution's lib/: there is no plugins/ beside it.
        assertThat(new TestCli().config("--dev").pluginDir()).isEmpty();
    }

    @Test
    void theCommandLineDefaultsAreTheConfigDefaults() {
        AgentConfig parsed = new TestCli().config();
        AgentConfig built = new AgentConfig.Builder().nodeName(TestCli.HOST_NAME)
                .bindAddr(parsed.bindAddr()).advertiseAddr(parsed.advertiseAddr()).httpAddr(parsed.httpAddr())
                .dataDir(parsed.dataDir()).build();

        assertThat(parsed).isEqualTo(built);
        assertThat(parsed.bindAddr()).isEqualTo(new HostPort(TestCli.PRIVATE_ADDRESS, 8946));
        assertThat(parsed.httpAddr()).isEqualTo(new HostPort("127.0.0.1", 8080));
        assertThat(parsed.dataDir()).isEqualTo(Path.of("hibachi.data").toAbsolutePath());
    }

    @Test
    void devIsAServerOfOneOnLoopback() {
        AgentConfig c = new TestCli().config("--dev");

        assertThat(c.server()).isTrue();
        assertThat(c.bootstrapExpect()).isEqualTo(1);
        assertThat(c.bindAddr()).isEqualTo(new HostPort("127.0.0.1", 8946));
        assertThat(c.advertiseAddr()).isEqualTo(c.bindAddr());
    }

    @ParameterizedTest(name = "bind {0}, advertise {1} -> {2}")
    @CsvSource(nullValues = "-", value = {
            "-,              -,             10.1.2.3:8946",   // both default: the first private address
            "192.168.0.5,    -,             192.168.0.5:8946", // the bind address
            "0.0.0.0:9000,   -,             10.1.2.3:9000",   // bound everywhere: a private address, bind port
            ":9000,          -,             10.1.2.3:9000",   // Dkron's :port is 0.0.0.0
            "[::]:9000,      -,             10.1.2.3:9000",
            ":9000,          203.0.113.7,   203.0.113.7:9000", // given without port: the bind port
            "-,              203.0.113.7:1, 203.0.113.7:1",
            "[::1]:9000,     -,             [::1]:9000"})
    void advertiseAddressDefaultsToTheBindAddress(String bind, String advertise, String expected) {
        List<String> args = new ArrayList<>();
        if (bind != null) {
            args.addAll(List.of("--bind-addr", bind));
        }
        if (advertise != null) {
            args.addAll(List.of("--advertise-addr", advertise));
        }
        assertThat(new TestCli().config(args.toArray(String[]::new)).advertiseAddr().toString()).isEqualTo(expected);
    }

    @Test
    void joinAndTagRepeatAndTakeCommas() {
        AgentConfig c = new TestCli().config("--join", "a", "--join", "b:9000,c", "--retry-join", "d,e",
                "--tag", "role=web", "--tag", "dc=eu,rack=r1", "--tag", "role=db", "--tag", "empty=",
                "--tag", "eq=a=b");

        assertThat(c.join()).containsExactly("a:8946", "b:9000", "c:8946");
        assertThat(c.retryJoin()).containsExactly("d:8946", "e:8946");
        assertThat(c.tags()).isEqualTo(Map.of("role", "db", "dc", "eu", "rack", "r1", "empty", "", "eq", "a=b"));
    }

    /** Dkron's docs write -server, -tag k=v, -join=x; each must mean what its -- form means. */
    @Test
    void dkronSingleDashSpellingsMeanTheSame() throws IOException {
        Path file = Files.writeString(tmp.resolve("h.yml"), "executions-kept: 9\n");
        String[] single = {"-server", "-bootstrap-expect", "1", "-node-name=n1", "-bind-addr", "10.0.0.1",
                "-advertise-addr", "10.0.0.2", "-http-addr", ":8081", "-rpc-port", "7000", "-join", "a",
                "-join=b", "-retry-join", "c", "-retry-interval", "5s", "-retry-max", "3",
                "-serf-reconnect-timeout", "1h", "-tag", "role=web", "-tag=dc=eu", "-data-dir", "/tmp/h",
                "-log-level", "debug", "-shutdown-grace", "1m", "-config", file.toString()};
        String[] dashed = {"--server", "--bootstrap-expect", "1", "--node-name=n1", "--bind-addr", "10.0.0.1",
                "--advertise-addr", "10.0.0.2", "--http-addr", ":8081", "--rpc-port", "7000", "--join", "a",
                "--join=b", "--retry-join", "c", "--retry-interval", "5s", "--retry-max", "3",
                "--reconnect-timeout", "1h", "--tag", "role=web", "--tag=dc=eu", "--data-dir", "/tmp/h",
                "--log-level", "debug", "--shutdown-grace", "1m", "--config", file.toString()};

        TestCli singleCli = new TestCli();
        AgentConfig fromSingle = singleCli.config(single);

        assertThat(fromSingle).isEqualTo(new TestCli().config(dashed));
        assertThat(fromSingle.executionsKept()).isEqualTo(9);
        assertThat(fromSingle.tags()).isEqualTo(Map.of("role", "web", "dc", "eu"));
        assertThat(singleCli.agent.logLevel()).isEqualTo(Level.DEBUG);
        assertThat(new TestCli().config("-dev").server()).isTrue();
    }

    @Test
    void dkronSpellingLeavesShortOptionsNumbersAndOperandsAlone() {
        assertThat(DkronSpelling.normalize(new String[]{"agent", "-h", "-V", "--retry-max", "-1", "-tag", "a=b",
                "--", "-server"}))
                .containsExactly("agent", "-h", "-V", "--retry-max", "-1", "--tag", "a=b", "--", "-server");
    }

    static Stream<org.junit.jupiter.params.provider.Arguments> badValues() {
        return Stream.of(
                arguments(List.of("--bind-addr", "foo:bar"), "--bind-addr: 'foo:bar' has no valid port"),
                arguments(List.of("--bind-addr", "::1"), "--bind-addr: '::1' needs brackets"),
                arguments(List.of("--http-addr", "1.2.3.4:99999"), "--http-addr: '1.2.3.4:99999' has no valid port"),
                arguments(List.of("--http-addr", "http://x:80"), "--http-addr: 'http://x:80' is not host[:port]"),
                arguments(List.of("--advertise-addr", "a b"), "--advertise-addr: 'a b' is not host[:port]"),
                arguments(List.of("--advertise-addr", "0.0.0.0"), "--advertise-addr: '0.0.0.0' must be an address"
                        + " other members can reach"),
                arguments(List.of("--join", "host:0"), "--join: 'host:0' has no valid port"),
                arguments(List.of("--join", "a,,b"), "--join: an address is empty"),
                arguments(List.of("--retry-join", "provider=aws tag_key=x"), "--retry-join: 'provider=aws tag_key=x'"
                        + " is not host[:port]"),
                arguments(List.of("--bootstrap-expect", "-1"), "--bootstrap-expect: '-1' must be 0 or more"),
                arguments(List.of("--retry-max", "-2"), "--retry-max: '-2' must be 0 (retry forever) or more"),
                arguments(List.of("--rpc-port", "0"), "--rpc-port: '0' must be from 1 to 65535"),
                arguments(List.of("--rpc-port", "70000"), "--rpc-port: '70000' must be from 1 to 65535"),
                arguments(List.of("--rpc-port", "abc"), "Invalid value for option '--rpc-port': 'abc' is not an int"),
                arguments(List.of("--executions-kept", "0"), "--executions-kept: '0' must be 1 or more"),
                arguments(List.of("--artifacts-budget", "3MiB"), "--artifacts-budget: '3MiB' must be from 0 to 2MiB"
                        + " (artifacts travel in one Raft entry)"),
                arguments(List.of("--artifacts-budget", "lots"), "--artifacts-budget: 'lots' must be a size such as"
                        + " 1048576, 512KiB or 1MiB"),
                arguments(List.of("--tag", "novalue"), "--tag: 'novalue' must be key=value"),
                arguments(List.of("--tag", "=v"), "--tag: '=v' must be key=value"),
                arguments(List.of("--retry-interval", "0s"), "--retry-interval: '0s' must be more than 0"),
                arguments(List.of("--retry-interval", "abc"), "--retry-interval: invalid duration \"abc\""),
                arguments(List.of("--reconnect-timeout", "-5s"), "--reconnect-timeout: '-5s' must be more than 0"),
                arguments(List.of("--shutdown-grace", "-1s"), "--shutdown-grace: '-1s' must be 0 or more"),
                arguments(List.of("--notify-on", "sometimes"), "--notify-on: 'sometimes' must be one of always,"
                        + " failure, success, change, never"),
                arguments(List.of("--mail-notify-on", "x"), "--mail-notify-on: 'x' must be one of"),
                arguments(List.of("--kill-grace", "-1s"), "--kill-grace: '-1s' must be 0 or more"),
                arguments(List.of("--kill-grace", "5"), "--kill-grace: invalid duration \"5\""),
                arguments(List.of("--node-name", " "), "--node-name: must not be empty"),
                arguments(List.of("--data-dir", ""), "--data-dir: must not be empty"),
                arguments(List.of("--encrypt", "not*base64"), "--encrypt: the key is not base64; a key is 16, 24"
                        + " or 32 bytes in base64 (hibachi keygen makes one)"),
                arguments(List.of("--encrypt", "AAECAwQFBgcICQoLDA0ODxAREhM="), "--encrypt: the key decodes to 20"
                        + " bytes; a key is 16, 24 or 32 bytes"),
                arguments(List.of("--encrypt", " "), "--encrypt: the key is empty"),
                arguments(List.of("--mail-host", "smtp", "--mail-from", "a@b.c", "--mail-payload", "{{.Nope}}"),
                        "--mail-payload: unknown variable .Nope at line 1, column 1"),
                arguments(List.of("--mail-host", "smtp"), "--mail-from: required with --mail-host"),
                arguments(List.of("--webhook-endpoint", "http://h/", "--webhook-headers", "Host: x"),
                        "--webhook-headers: 'Host: x' cannot be sent"),
                arguments(List.of("--pre-webhook-endpoint", "localhost:80"), "--pre-webhook-endpoint: 'localhost:80'"
                        + " must be an http:// or https:// address with a host"),
                arguments(List.of("--slack-channel", "#ops"), "--slack-channel: needs --slack-webhook-url"),
                arguments(List.of("--statsd-addr", "nonsense"), "--statsd-addr: 'nonsense' must be host:port, e.g."
                        + " 127.0.0.1:8125"),
                arguments(List.of("--statsd-addr", "statsd.local:udp"), "--statsd-addr: 'statsd.local:udp' has no"
                        + " valid port"),
                arguments(List.of("--dog-statsd-addr", "host:70000"), "--dog-statsd-addr: 'host:70000' has no valid"
                        + " port"),
                arguments(List.of("--dog-statsd-addr", "127.0.0.1:8125", "--dog-statsd-tags", "env"),
                        "--dog-statsd-tags: 'env' must be key:value"),
                arguments(List.of("--dog-statsd-tags", "env:prod"), "--dog-statsd-tags: 'env:prod' needs"
                        + " --dog-statsd-addr"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badValues")
    void badValuesAreRefusedNamingTheirFlag(List<String> args, String message) {
        TestCli cli = new TestCli();

        assertThatThrownBy(() -> cli.config(args.toArray(String[]::new)))
                .isInstanceOf(ParameterException.class)
                .hasMessageContaining(message);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badValues")
    void badValuesExitWithTwoAndStartNothing(List<String> args, String message) {
        TestCli cli = new TestCli();

        assertThat(cli.execute(args.toArray(String[]::new))).isEqualTo(2);
        assertThat(cli.err()).contains(message).contains("Run 'hibachi agent --help'");
        assertThat(cli.started).isEmpty();
    }

    /** A key is a secret: a bad one is not repeated in the error, and a good one not in the printed config. */
    @Test
    void theKeyIsNeverRepeated() {
        String almostAKey = "AAECAwQFBgcICQoLDA0ODxAR"; // 18 bytes: a key with two bytes too many
        TestCli typed = new TestCli();
        assertThat(typed.execute("--dev", "--encrypt", almostAKey)).isEqualTo(2);
        assertThat(typed.err()).contains("--encrypt: the key decodes to 18 bytes").doesNotContain(almostAKey);

        TestCli fromEnv = new TestCli(Map.of("HIBACHI_ENCRYPT", almostAKey));
        assertThat(fromEnv.execute("--dev")).isEqualTo(2);
        assertThat(fromEnv.err()).contains("--encrypt: the key decodes to 18 bytes").contains("(from HIBACHI_ENCRYPT)")
                .doesNotContain(almostAKey);

        String key = "AAECAwQFBgcICQoLDA0ODw==";
        AgentConfig config = new TestCli().config("--dev", "--encrypt", key);
        assertThat(config.toString()).doesNotContain(key).contains("GossipKey[16 bytes]");
    }

    @ParameterizedTest
    @CsvSource({"debug, DEBUG", "INFO, INFO", "warn, WARN", "error, ERROR", "fatal, ERROR", "panic, ERROR",
            "trace, TRACE"})
    void logLevelsTakeDkronsNames(String text, String level) {
        TestCli cli = new TestCli();
        cli.config("--log-level", text);

        assertThat(cli.agent.logLevel()).isEqualTo(Level.toLevel(level));
    }

    @Test
    void anUnknownLogLevelIsRefused() {
        TestCli cli = new TestCli();

        assertThat(cli.execute("--dev", "--log-level", "loud")).isEqualTo(2);
        assertThat(cli.err()).contains("--log-level: 'loud' must be one of debug, info, warn, error");
        assertThat(cli.started).isEmpty();
    }

    /** A value the user did not type is traced to where it came from. */
    @Test
    void errorsSayWhichVariableOrFileGaveTheValue() throws IOException {
        Path file = Files.writeString(tmp.resolve("h.yml"), "retry-interval: abc\n");

        TestCli fromEnv = new TestCli(Map.of("HIBACHI_RETRY_MAX", "-1"));
        assertThat(fromEnv.execute("--dev")).isEqualTo(2);
        assertThat(fromEnv.err())
                .contains("--retry-max: '-1' must be 0 (retry forever) or more (from HIBACHI_RETRY_MAX)");

        TestCli conversion = new TestCli(Map.of("HIBACHI_RPC_PORT", "abc"));
        assertThat(conversion.execute("--dev")).isEqualTo(2);
        assertThat(conversion.err()).contains("'abc' is not an int (from HIBACHI_RPC_PORT)");

        TestCli fromFile = new TestCli();
        assertThat(fromFile.execute("--dev", "--config", file.toString())).isEqualTo(2);
        assertThat(fromFile.err()).contains("--retry-interval: invalid duration \"abc\"")
                .contains("(from retry-interval in " + file + ")");

        TestCli typed = new TestCli(Map.of("HIBACHI_RETRY_MAX", "1"));
        assertThat(typed.execute("--dev", "--retry-max", "-1")).isEqualTo(2);
        assertThat(typed.err()).contains("--retry-max: '-1' must be").doesNotContain("(from");
    }

    @Test
    void helpListsEveryFlagWithItsDefaultAndVariable() {
        TestCli cli = new TestCli();

        assertThat(cli.execute("--help")).isZero();

        Map<String, String> blocks = helpBlocks(cli.out());
        List<OptionSpec> settings = cli.agent.spec.options().stream().filter(SettingName::isSetting).toList();
        assertThat(settings).hasSize(49);
        for (OptionSpec option : settings) {
            String flag = option.names()[0];
            assertThat(blocks).as("help for %s", flag).containsKey(flag);
            assertThat(blocks.get(flag)).as("help for %s", flag)
                    .contains("Default: ")
                    .contains("Env: " + SettingName.of(option).envVar());
        }
        assertThat(blocks.get("--http-addr")).contains("Default: 127.0.0.1:8080");
        assertThat(blocks.get("--retry-interval")).contains("Default: 30s");
        assertThat(blocks.get("--kill-grace")).contains("Default: 5s").contains("Env: HIBACHI_KILL_GRACE");
        assertThat(blocks.get("--reconnect-timeout")).contains("--serf-reconnect-timeout").contains("Default: 24h")
                .contains("Env: HIBACHI_RECONNECT_TIMEOUT");
        assertThat(blocks.get("--tag")).contains("Env: HIBACHI_TAGS");
        assertThat(blocks.get("--plugin-dir")).contains("Default: the distribution's plugins/ folder")
                .contains("Env: HIBACHI_PLUGIN_DIR");
        assertThat(blocks.get("--encrypt")).contains("Default: none").contains("Env: HIBACHI_ENCRYPT")
                .contains("hibachi keygen");
        assertThat(blocks.get("--node-name")).contains("Default: the host name").contains("Env: HIBACHI_NODE_NAME");
        assertThat(cli.out().replaceAll("\\s+", " "))
                .contains("A flag beats its variable, which beats the file, which beats the default.");
        assertThat(cli.started).isEmpty();
    }

    /** Help documents the built-in defaults, whatever the environment says, and works with a broken file. */
    @Test
    void helpShowsBuiltInDefaultsEvenWithVariablesAndABrokenFile() {
        TestCli cli = new TestCli(Map.of("HIBACHI_HTTP_ADDR", "10.9.9.9:1", "HIBACHI_CONFIG",
                tmp.resolve("missing.yml").toString()));

        assertThat(cli.execute("--help")).isZero();
        assertThat(helpBlocks(cli.out()).get("--http-addr")).contains("Default: 127.0.0.1:8080")
                .doesNotContain("10.9.9.9");
        assertThat(cli.err()).isEmpty();
    }

    @Test
    void theEnvironmentVariableIsTheFlagNameMechanically() {
        TestCli cli = new TestCli();
        Map<String, String> names = new java.util.TreeMap<>();
        for (OptionSpec option : cli.agent.spec.options()) {
            if (SettingName.isSetting(option)) {
                names.put(option.names()[0], SettingName.of(option).envVar() + " " + SettingName.of(option).fileKey());
            }
        }
        assertThat(names).containsEntry("--node-name", "HIBACHI_NODE_NAME node-name")
                .containsEntry("--bootstrap-expect", "HIBACHI_BOOTSTRAP_EXPECT bootstrap-expect")
                .containsEntry("--join", "HIBACHI_JOIN join")
                .containsEntry("--tag", "HIBACHI_TAGS tags")
                .containsEntry("--reconnect-timeout", "HIBACHI_RECONNECT_TIMEOUT reconnect-timeout")
                .containsEntry("--config", "HIBACHI_CONFIG null");
    }

    /** The first line of an option in the help: "  -h, --help" or "      --node-name=<name>". */
    private static final Pattern OPTION_LINE = Pattern.compile("^ {2}(?:-\\w, | {4})(--[\\w-]+)");

    /** The option list of a help text, keyed by each option's first long name. */
    private static Map<String, String> helpBlocks(String help) {
        Map<String, String> blocks = new java.util.HashMap<>();
        String key = null;
        StringBuilder block = new StringBuilder();
        for (String line : help.split("\n")) {
            Matcher m = OPTION_LINE.matcher(line);
            if (m.find() || line.isBlank()) {
                if (key != null) {
                    blocks.put(key, block.toString());
                }
                key = line.isBlank() ? null : m.group(1);
                block.setLength(0);
            }
            block.append(line).append('\n');
        }
        if (key != null) {
            blocks.put(key, block.toString());
        }
        return blocks;
    }
}
