package dev.hibachi.agent.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.util.Map;

/** {@code hibachi jobs toggle NAME}: disables an enabled job, enables a disabled one ({@code POST /v1/jobs/{name}/toggle}). */
@Command(name = "toggle", mixinStandardHelpOptions = true, versionProvider = VersionCommand.Provider.class,
        description = {"Disables a job that is enabled, or enables one that is disabled. A disabled job is not"
                + " scheduled; enabling it again does not catch up the instants that passed meanwhile."})
final class JobsToggleCommand extends AgentRequestCommand {
    @Parameters(index = "0", paramLabel = "NAME", description = "The job.")
    String job;

    JobsToggleCommand(Map<String, String> env) {
        super(env);
    }

    @Override
    JsonNode ask(ApiClient api) throws ApiCallFailed {
        return api.post("/v1/jobs/" + ApiClient.segment(job) + "/toggle");
    }

    @Override
    void show(JsonNode toggled, PrintWriter out) {
        out.println("Job " + toggled.path("name").asText(job) + " is now "
                + (toggled.path("disabled").asBoolean() ? "disabled" : "enabled") + ".");
    }
}
