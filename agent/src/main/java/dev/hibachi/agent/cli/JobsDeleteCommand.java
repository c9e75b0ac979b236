package dev.hibachi.agent.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.Map;
import java.util.concurrent.Callable;

/** {@code hibachi jobs delete NAME}: deletes a job with its history ({@code DELETE /v1/jobs/{name}}). */
@Command(name = "delete", mixinStandardHelpOptions = true, versionProvider = VersionCommand.Provider.class,
        description = {"Deletes a job, with its executions and misses. A job that other jobs name as their"
                + " parent_job cannot be deleted: delete the children first."})
final class JobsDeleteCommand implements Callable<Integer> {
    @Mixin
    AgentAddress agent;

    @Mixin
    JsonOutput output = new JsonOutput();

    @Parameters(index = "0", paramLabel = "NAME", description = "The job.")
    String job;

    @Spec
    CommandSpec spec;

    JobsDeleteCommand(Map<String, String> env) {
        agent = new AgentAddress(env);
    }

    @Override
    public Integer call() throws ApiCallFailed {
        JsonNode deleted = new ApiClient(agent.uri()).delete("/v1/jobs/" + ApiClient.segment(job));
        if (output.on()) {
            JsonOutput.print(spec.commandLine().getOut(), deleted);
            return 0;
        }
        spec.commandLine().getOut().println("Deleted job " + deleted.path("name").asText(job) + ".");
        spec.commandLine().getOut().flush();
        return 0;
    }
}
