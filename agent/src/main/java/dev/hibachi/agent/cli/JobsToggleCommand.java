package dev.hibachi.agent.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.Map;
import java.util.concurrent.Callable;

/** {@code hibachi jobs toggle NAME}: disables an enabled job, enables a disabled one ({@code POST /v1/jobs/{name}/toggle}). */
@Command(name = "toggle", mixinStandardHelpOptions = true, versionProvider = VersionCommand.Provider.class,
        description = {"Disables a job that is enabled, or enables one that is disabled. A disabled job is not"
                + " scheduled; enabling it again does not catch up the instants that passed meanwhile."})
final class JobsToggleCommand implements Callable<Integer> {
    @Mixin
    AgentAddress agent;

    @Mixin
    JsonOutput output = new JsonOutput();

    @Parameters(index = "0", paramLabel = "NAME", description = "The job.")
    String job;

    @Spec
    CommandSpec spec;

    JobsToggleCommand(Map<String, String> env) {
        agent = new AgentAddress(env);
    }

    @Override
    public Integer call() throws ApiCallFailed {
        JsonNode toggled = new ApiClient(agent.uri()).post("/v1/jobs/" + ApiClient.segment(job) + "/toggle");
        if (output.on()) {
            JsonOutput.print(spec.commandLine().getOut(), toggled);
            return 0;
        }
        spec.commandLine().getOut().println("Job " + toggled.path("name").asText(job) + " is now "
                + (toggled.path("disabled").asBoolean() ? "disabled" : "enabled") + ".");
        spec.commandLine().getOut().flush();
        return 0;
    }
}
