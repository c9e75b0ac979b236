package dev.hibachi.agent.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.util.Map;

/** {@code hibachi jobs delete NAME}: deletes a job with its history ({@code DELETE /v1/jobs/{name}}). */
@Command(name = "delete", mixinStandardHelpOptions = true, versionProvider = VersionCommand.Provider.class,
        description = {"Deletes a job, with its executions and misses. A job that other jobs name as their"
                + " parent_job cannot be deleted: delete the children first."})
final class JobsDeleteCommand extends AgentRequestCommand {
    @Parameters(index = "0", paramLabel = "NAME", description = "The job.")
    String job;

    JobsDeleteCommand(Map<String, String> env) {
        super(env);
    }

    @Override
    JsonNode ask(ApiClient api) throws ApiCallFailed {
        return api.delete("/v1/jobs/" + ApiClient.segment(job));
    }

    @Override
    void show(JsonNode deleted, PrintWriter out) {
        out.println("Deleted job " + deleted.path("name").asText(job) + ".");
    }
}
