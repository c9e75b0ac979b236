package dev.hibachi.agent.cli;

import dev.hibachi.store.StoreTestSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The commands that ask an agent's HTTP API ({@code members}, {@code leave}, {@code raft ...}, {@code jobs ...}):
 * which agent they ask, and how they fail when it cannot be asked. Their answers against a real agent are tested
 * in the api module, which serves the API.
 */
class ApiCommandsTest {

    @ParameterizedTest
    @CsvSource({
            "--address, http://10.0.0.5:8080, http://10.0.0.5:8080",
            "--address, 10.0.0.5:8080, http://10.0.0.5:8080",
            "--address, https://cron.example.com, https://cron.example.com",
            "--address, :9090, http://127.0.0.1:9090",
            "--rpc-addr, 10.0.0.6:8080, http://10.0.0.6:8080",
            "-rpc-addr, 10.0.0.7:8080, http://10.0.0.7:8080"})
    void theAddressComesFromTheFlag(String flag, String value, String expected) {
        TestCli cli = new TestCli(Map.of("HIBACHI_HTTP_ADDR", "http://10.9.9.9:8080"));
        cli.root.parseArgs(DkronSpelling.normalize(new String[]{"members", flag, value}));
        assertThat(address(cli, "members")).isEqualTo(URI.create(expected));
    }

    @Test
    void withoutTheFlagTheVariableThenItsOldNameThenTheLocalDefaultIsAsked() {
        TestCli fromVariable = new TestCli(Map.of("HIBACHI_HTTP_ADDR", "10.9.9.8:8082", "HIBACHI_ADDR", "10.9.9.9:8081"));
        fromVariable.root.parseArgs("members");
        assertThat(address(fromVariable, "members")).isEqualTo(URI.create("http://10.9.9.8:8082"));

        TestCli fromOldName = new TestCli(Map.of("HIBACHI_HTTP_ADDR", "", "HIBACHI_ADDR", "10.9.9.9:8081"));
        fromOldName.root.parseArgs("members");
        assertThat(address(fromOldName, "members")).isEqualTo(URI.create("http://10.9.9.9:8081"));

        TestCli byDefault = new TestCli(Map.of("HIBACHI_HTTP_ADDR", "", "HIBACHI_ADDR", ""));
        byDefault.root.parseArgs("members");
        assertThat(address(byDefault, "members")).isEqualTo(URI.create("http://127.0.0.1:8080"));
    }

    @Test
    void theAgentsOwnListenAddressInTheVariableIsAskedOnLoopback() {
        TestCli cli = new TestCli(Map.of("HIBACHI_HTTP_ADDR", ":9090"));
        cli.root.parseArgs("members");
        assertThat(address(cli, "members")).isEqualTo(URI.create("http://127.0.0.1:9090"));
    }

    @Test
    void anAgentThatCannotBeReachedFailsWithExitCode1NamingItsAddress() {
        int port = StoreTestSupport.freePort(); // nothing listens there
        for (String[] command : new String[][]{{"members"}, {"leader"}, {"leave"}, {"raft", "list-peers"},
                {"raft", "remove-peer", "--peer-id", "s3"}, {"jobs", "kill", "backup", "1-1-web-1"},
                {"jobs", "list"}, {"jobs", "get", "backup"}, {"jobs", "run", "backup"}, {"jobs", "run", "backup", "--wait"},
                {"jobs", "toggle", "backup"}, {"jobs", "delete", "backup"}, {"jobs", "executions", "backup"},
                {"jobs", "misses", "backup"}, {"jobs", "export", "/nonexistent/never-written"}}) {
            TestCli cli = new TestCli(Map.of("HIBACHI_HTTP_ADDR", "127.0.0.1:" + port));
            assertThat(cli.run(command)).as(String.join(" ", command)).isEqualTo(1);
            assertThat(cli.err()).as(String.join(" ", command))
                    .startsWith("Error: cannot reach the agent at http://127.0.0.1:" + port)
                    .contains("HIBACHI_HTTP_ADDR")
                    .doesNotContain("Exception");
            assertThat(cli.out()).isEmpty();
        }
    }

    @Test
    void aMalformedAddressIsAUsageErrorNamingItsSource() {
        TestCli flag = new TestCli();
        assertThat(flag.run("members", "--address", "http://")).isEqualTo(2);
        assertThat(flag.err()).contains("--address: 'http://' is not an HTTP address");

        TestCli variable = new TestCli(Map.of("HIBACHI_HTTP_ADDR", "ftp://host"));
        assertThat(variable.run("raft", "list-peers")).isEqualTo(2);
        assertThat(variable.err()).contains("HIBACHI_HTTP_ADDR: 'ftp://host' is not an HTTP address");

        TestCli oldName = new TestCli(Map.of("HIBACHI_ADDR", "ftp://host"));
        assertThat(oldName.run("raft", "list-peers")).isEqualTo(2);
        assertThat(oldName.err()).contains("HIBACHI_ADDR: 'ftp://host' is not an HTTP address");
    }

    @Test
    void aBadWaitIsAUsageError() {
        TestCli cli = new TestCli();
        assertThat(cli.run("jobs", "run", "backup", "--wait=soon")).isEqualTo(2);
        assertThat(cli.err()).contains("--wait: invalid duration \"soon\"");
        TestCli zero = new TestCli();
        assertThat(zero.run("jobs", "run", "backup", "--wait=0s")).isEqualTo(2);
        assertThat(zero.err()).contains("--wait: must be longer than 0s");
    }

    @Test
    void applyNeedsAFileAndABadFileFailsWith2BeforeAskingTheAgent(@TempDir Path dir) throws Exception {
        TestCli none = new TestCli();
        assertThat(none.run("jobs", "apply")).isEqualTo(2);
        assertThat(none.err()).contains("--file");

        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, "name: a\nschedule: '@manually'\nexecutor: shell\ncolour: red\n");
        int port = StoreTestSupport.freePort(); // nothing listens there: the file is read first
        TestCli cli = new TestCli(Map.of("HIBACHI_HTTP_ADDR", "127.0.0.1:" + port));
        assertThat(cli.run("jobs", "apply", "-f", dir.toString())).isEqualTo(2);
        assertThat(cli.err().strip()).isEqualTo("Error: " + bad + ", line 4, column 1: unknown field \"colour\"");
        assertThat(cli.out()).isEmpty();
    }

    @Test
    void removePeerRequiresThePeerId() {
        TestCli cli = new TestCli();
        assertThat(cli.run("raft", "remove-peer")).isEqualTo(2);
        assertThat(cli.err()).contains("--peer-id");
    }

    @Test
    void jobsKillRequiresTheJobAndTheExecution() {
        TestCli cli = new TestCli();
        assertThat(cli.run("jobs", "kill", "backup")).isEqualTo(2);
        assertThat(cli.err()).contains("ID");
    }

    @Test
    void jobsAloneShowsItsSubcommands() {
        TestCli cli = new TestCli();
        assertThat(cli.run("jobs")).isZero();
        assertThat(cli.out()).contains("kill", "list", "get", "run", "toggle", "delete", "executions", "misses",
                "apply", "export");
    }

    @Test
    void raftAloneShowsItsSubcommands() {
        TestCli cli = new TestCli();
        assertThat(cli.run("raft")).isZero();
        assertThat(cli.out()).contains("list-peers").contains("remove-peer");
    }

    private static URI address(TestCli cli, String command) {
        return ((MembersCommand) cli.root.getSubcommands().get(command).getCommand()).agent.uri();
    }
}
