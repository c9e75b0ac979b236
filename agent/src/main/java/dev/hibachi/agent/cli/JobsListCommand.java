package dev.hibachi.agent.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code hibachi jobs list}: the cluster's jobs, all of them, fetched page by page ({@code GET /v1/jobs}). */
@Command(name = "list", mixinStandardHelpOptions = true, versionProvider = VersionCommand.Provider.class,
        description = {"Lists the cluster's jobs with their schedule, status and counters. The filters are the"
                + " API's own (Dkron's q, status and metadata, and tags), passed to the agent as they are."})
final class JobsListCommand implements Callable<Integer> {
    @Mixin
    AgentAddress agent;

    @Mixin
    JsonOutput output = new JsonOutput();

    @Option(names = "--q", paramLabel = "<text>", description = "Only jobs whose name holds this text.")
    String text;

    @Option(names = "--status", paramLabel = "<status>", description = "Only jobs in this status (success,"
            + " failed, running, ...).")
    String status;

    @Option(names = "--metadata", paramLabel = "<key=value>", description = "Only jobs whose metadata has this"
            + " key and value; repeatable (all must match).")
    Map<String, String> metadata = new LinkedHashMap<>();

    @Option(names = "--tag", paramLabel = "<key=value>", description = "Only jobs that run on members with this"
            + " tag (a job's value:N counts as value); repeatable (all must match).")
    Map<String, String> tags = new LinkedHashMap<>();

    @Spec
    CommandSpec spec;

    JobsListCommand(Map<String, String> env) {
        agent = new AgentAddress(env);
    }

    @Override
    public Integer call() throws ApiCallFailed {
        Map<String, String> filters = new LinkedHashMap<>();
        if (text != null) {
            filters.put("q", text);
        }
        if (status != null) {
            filters.put("status", status);
        }
        metadata.forEach((k, v) -> filters.put("metadata[" + k + "]", v));
        tags.forEach((k, v) -> filters.put("tags[" + k + "]", v));
        JsonNode jobs = new JobListing(new ApiClient(agent.uri()), filters).fetch();
        if (output.on()) {
            JsonOutput.print(spec.commandLine().getOut(), jobs);
            return 0;
        }
        TextTable table = new TextTable("Name", "Schedule", "Status", "Disabled", "Success", "Errors",
                "Last success", "Last error", "Next");
        for (JsonNode j : jobs) {
            table.row(j.path("name").asText(), TextTable.text(j.path("schedule")), TextTable.text(j.path("status")),
                    j.path("disabled").asText(), j.path("success_count").asText(), j.path("error_count").asText(),
                    TextTable.instant(j.path("last_success")), TextTable.instant(j.path("last_error")),
                    TextTable.instant(j.path("next")));
        }
        table.print(spec.commandLine().getOut());
        return 0;
    }
}
