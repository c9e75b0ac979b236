package dev.hibachi.agent.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hibachi.store.json.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code hibachi jobs kill NAME ID}: asks to kill a running execution
 * ({@code POST /v1/jobs/{name}/executions/{id}/kill}).
 */
@Command(name = "kill", mixinStandardHelpOptions = true, versionProvider = VersionCommand.Provider.class,
        description = {"Kills a running execution of a job: its member sends TERM to the execution's process group,"
                + " then KILL after its --kill-grace. The execution is recorded as failed, killed, with who asked,"
                + " and is not retried."})
final class JobsKillCommand implements Callable<Integer> {
    @Mixin
    AgentAddress agent;

    @Mixin
    JsonOutput output = new JsonOutput();

    @Parameters(index = "0", paramLabel = "NAME", description = "The job.")
    String job;

    @Parameters(index = "1", paramLabel = "ID", description = "The execution's id (runId-attempt-node), as the"
            + " executions list shows it.")
    String execution;

    @Option(names = "--by", paramLabel = "<who>", description = {"Who asks for the kill, as recorded in the"
            + " execution's killed_by.", "Default: $USER@<this host's name>."})
    String by;

    @Spec
    CommandSpec spec;

    private final Map<String, String> env;
    private final LocalHost host;

    JobsKillCommand(Map<String, String> env, LocalHost host) {
        this.env = env;
        this.host = host;
        agent = new AgentAddress(env);
    }

    @Override
    public Integer call() throws ApiCallFailed {
        String asker = by != null ? by.strip() : defaultAsker();
        String body = new String(Json.write(Map.of("by", asker)), StandardCharsets.UTF_8);
        JsonNode answer = new ApiClient(agent.uri()).post("/v1/jobs/" + ApiClient.segment(job) + "/executions/"
                + ApiClient.segment(execution) + "/kill", body);
        if (output.on()) {
            JsonOutput.print(spec.commandLine().getOut(), answer);
            return 0;
        }
        spec.commandLine().getOut().println("Execution " + answer.path("execution_id").asText(execution) + " of job "
                + answer.path("job_name").asText(job) + ": " + answer.path("outcome").asText() + " (asked by "
                + answer.path("requested_by").asText(asker) + ").");
        spec.commandLine().getOut().flush();
        return 0;
    }

    /** {@code $USER@host}, as a shell prompt names the person at the keyboard. */
    private String defaultAsker() {
        String user = env.get("USER");
        if (user == null || user.isBlank()) {
            user = System.getProperty("user.name", "unknown");
        }
        return user + "@" + host.name();
    }
}
