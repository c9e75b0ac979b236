package dev.hibachi.agent.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.util.Map;

/** {@code hibachi jobs misses NAME}: the instants of a job that did not run, and why ({@code GET /v1/jobs/{name}/misses}). */
@Command(name = "misses", mixinStandardHelpOptions = true, versionProvider = VersionCommand.Provider.class,
        description = {"Lists the instants of a job that did not run, as ranges: missed (not planned in time, past"
                + " the misfire grace) or skipped (a forbid job was still running; Blocked by names that run)."})
final class JobsMissesCommand extends AgentRequestCommand {
    @Parameters(index = "0", paramLabel = "NAME", description = "The job.")
    String job;

    JobsMissesCommand(Map<String, String> env) {
        super(env);
    }

    @Override
    JsonNode ask(ApiClient api) throws ApiCallFailed {
        return api.get("/v1/jobs/" + ApiClient.segment(job) + "/misses");
    }

    @Override
    void show(JsonNode misses, PrintWriter out) {
        TextTable table = new TextTable("From", "To", "Count", "Kind", "Blocked by", "Reason");
        for (JsonNode m : misses) {
            table.row(TextTable.instant(m.path("from")), TextTable.instant(m.path("to")), m.path("count").asText(),
                    TextTable.text(m.path("kind")), TextTable.text(m.path("blocked_by")),
                    TextTable.firstLine(m.path("reason").asText(), 80));
        }
        table.print(out);
    }
}
