package dev.hibachi.agent.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.Map;
import java.util.concurrent.Callable;

/** {@code hibachi jobs misses NAME}: the instants of a job that did not run, and why ({@code GET /v1/jobs/{name}/misses}). */
@Command(name = "misses", mixinStandardHelpOptions = true, versionProvider = VersionCommand.Provider.class,
        description = {"Lists the instants of a job that did not run, as ranges: missed (not planned in time, past"
                + " the misfire grace) or skipped (a forbid job was still running; Blocked by names that run)."})
final class JobsMissesCommand implements Callable<Integer> {
    @Mixin
    AgentAddress agent;

    @Mixin
    JsonOutput output = new JsonOutput();

    @Parameters(index = "0", paramLabel = "NAME", description = "The job.")
    String job;

    @Spec
    CommandSpec spec;

    JobsMissesCommand(Map<String, String> env) {
        agent = new AgentAddress(env);
    }

    @Override
    public Integer call() throws ApiCallFailed {
        JsonNode misses = new ApiClient(agent.uri()).get("/v1/jobs/" + ApiClient.segment(job) + "/misses");
        if (output.on()) {
            JsonOutput.print(spec.commandLine().getOut(), misses);
            return 0;
        }
        TextTable table = new TextTable("From", "To", "Count", "Kind", "Blocked by", "Reason");
        for (JsonNode m : misses) {
            table.row(TextTable.instant(m.path("from")), TextTable.instant(m.path("to")), m.path("count").asText(),
                    TextTable.text(m.path("kind")), TextTable.text(m.path("blocked_by")),
                    TextTable.firstLine(m.path("reason").asText(), 80));
        }
        table.print(spec.commandLine().getOut());
        return 0;
    }
}
