package dev.hibachi.api;

import dev.hibachi.agent.cli.HibachiCommand;
import dev.hibachi.store.StoreTestSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The {@code hibachi} commands that ask an agent ({@code members}, {@code leave}, {@code raft list-peers},
 * {@code raft remove-peer}, {@code jobs kill}), run in-process through the binary's entry point against real
 * agents.
 */
class CliTest {
    @RegisterExtension
    static final AgentPerClass agent = AgentPerClass.server();

    /** One run of the {@code hibachi} binary's command line: its exit code and what it printed. */
    record Run(int exit, String out, String err) {
    }

    static Run hibachi(Map<String, String> env, String... args) {
        CommandLine line = HibachiCommand.commandLine(env);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        line.setOut(new PrintWriter(out, true));
        line.setErr(new PrintWriter(err, true));
        int exit = line.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    static Run hibachi(String... args) {
        return hibachi(Map.of(), args);
    }

    @Test
    void membersPrintsATableOfTheMembers() {
        Run r = hibachi("members", "--address", agent.base().toString());
        assertThat(r.exit()).as(r.toString()).isZero();
        String[] lines = r.out().split("\n");
        assertThat(lines).hasSize(2);
        assertThat(lines[0]).matches("Name +Address +Status +Role +Raft +HTTP +Tags");
        assertThat(lines[1]).matches("node-1 +127\\.0\\.0\\.1:" + agent.gossipPort() + " +alive +server +leader +127\\.0\\.0\\.1:"
                + agent.httpPort() + " +port=" + agent.rpcPort() + ",rpc_addr=127\\.0\\.0\\.1:" + agent.rpcPort()
                + ",server=true");
        // Columns line up: each value starts where its header does.
        assertThat(lines[1].indexOf("alive")).isEqualTo(lines[0].indexOf("Status"));
        assertThat(lines[1].indexOf("leader")).isEqualTo(lines[0].indexOf("Raft"));
    }

    @Test
    void listPeersPrintsDkronsColumnsAndTakesTheAddressFromTheVariable() {
        Run r = hibachi(Map.of("HIBACHI_ADDR", agent.base().toString()), "raft", "list-peers");
        assertThat(r.exit()).as(r.toString()).isZero();
        String[] lines = r.out().split("\n");
        assertThat(lines).hasSize(2);
        assertThat(lines[0]).matches("Node +ID +Address +State +Voter");
        assertThat(lines[1]).matches("node-1 +node-1 +127\\.0\\.0\\.1:" + agent.rpcPort() + " +leader +true");
    }

    @Test
    void removePeerOfAnUnknownIdExitsWith1AndTheAgentsMessage() {
        Run r = hibachi("raft", "remove-peer", "--peer-id", "ghost", "--rpc-addr", "127.0.0.1:" + agent.httpPort());
        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        assertThat(r.err().strip()).isEqualTo("Error: no Raft peer has the id \"ghost\"; the peers are node-1 (HTTP 404)");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void removePeerOfTheLastPeerExitsWith1AndTheAgentsMessage() {
        Run r = hibachi("raft", "remove-peer", "--peer-id", "node-1", "--address", agent.base().toString());
        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        assertThat(r.err()).startsWith("Error: \"node-1\" is the only Raft peer").contains("(HTTP 409)");
        assertThat(hibachi("raft", "list-peers", "--address", agent.base().toString()).out()).contains("node-1");
    }

    @Test
    void jobsKillKillsARunningExecutionAndSaysSo() {
        Api api = agent.api();
        api.putJob(JobsApiTest.manualJob("cli-sleepy", "sleep 300"));
        String first = runUntilRunning(api, "cli-sleepy");

        Run killed = hibachi("jobs", "kill", "cli-sleepy", first, "--by", "carol", "--address", agent.base().toString());
        assertThat(killed.exit()).as(killed.toString()).isZero();
        assertThat(killed.out().strip())
                .isEqualTo("Execution " + first + " of job cli-sleepy: kill requested (asked by carol).");
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            var e = api.get("/v1/jobs/cli-sleepy/executions/" + first).json();
            assertThat(e.path("status").asText()).isEqualTo("killed");
            assertThat(e.path("killed_by").asText()).isEqualTo("carol");
        });

        Run again = hibachi(Map.of("HIBACHI_ADDR", agent.base().toString()), "jobs", "kill", "cli-sleepy", first);
        assertThat(again.exit()).as(again.toString()).isEqualTo(1);
        assertThat(again.err().strip()).isEqualTo("Error: execution " + first + " of job cli-sleepy has already"
                + " finished (HTTP 409)");
        assertThat(again.out()).isEmpty();

        // Without --by, the asker is $USER@host.
        String second = runUntilRunning(api, "cli-sleepy");
        Run byDefault = hibachi(Map.of("HIBACHI_ADDR", agent.base().toString(), "USER", "dora"),
                "jobs", "kill", "cli-sleepy", second);
        assertThat(byDefault.exit()).as(byDefault.toString()).isZero();
        assertThat(byDefault.out().strip()).matches("Execution " + second
                + " of job cli-sleepy: kill requested \\(asked by dora@[^)\\s]+\\)\\.");
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(api.get("/v1/jobs/cli-sleepy/executions/"
                + second).json().path("killed_by").asText()).startsWith("dora@"));
    }

    /** Runs {@code job} now and waits until its execution runs; answers the execution's id. */
    private static String runUntilRunning(Api api, String job) {
        Api.Response run = api.post("/v1/jobs/" + job, "");
        assertThat(run.status()).as(run.toString()).isEqualTo(200);
        String id = run.header("X-Hibachi-Run-Id") + "-1-node-1";
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() ->
                "running".equals(api.get("/v1/jobs/" + job + "/executions/" + id).json().path("status").asText()));
        return id;
    }

    @Test
    void leaveStopsTheAgentAndItsAgentCommandReturns(@TempDir Path dir) throws Exception {
        int http = StoreTestSupport.freePort();
        String[] agentArgs = {"agent", "--dev", "--node-name", "cli-1", "--data-dir", dir.toString(),
                "--http-addr", "127.0.0.1:" + http, "--rpc-port", String.valueOf(StoreTestSupport.freePort()),
                "--bind-addr", "127.0.0.1:" + StoreTestSupport.freeGossipPort()};
        CompletableFuture<Run> agentCommand = CompletableFuture.supplyAsync(() -> hibachi(agentArgs));
        Api api = new Api(java.net.URI.create("http://127.0.0.1:" + http));
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().failFast(agentCommand::isDone)
                .until(() -> api.get("/health").status() == 200);

        Run leave = hibachi("leave", "--address", "127.0.0.1:" + http);
        assertThat(leave.exit()).as(leave.toString()).isZero();
        assertThat(leave.out().strip())
                .isEqualTo("Agent cli-1 is leaving the cluster; it stops once its running jobs have finished.");

        Run agentRun = agentCommand.get(30, TimeUnit.SECONDS);
        assertThat(agentRun.exit()).as(agentRun.toString()).isZero();
        Run after = hibachi("members", "--address", "127.0.0.1:" + http);
        assertThat(after.exit()).isEqualTo(1);
        assertThat(after.err()).startsWith("Error: cannot reach the agent at http://127.0.0.1:" + http);
    }
}
