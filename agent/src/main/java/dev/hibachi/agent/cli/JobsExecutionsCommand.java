package dev.hibachi.agent.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.util.Map;

/** {@code hibachi jobs executions NAME}: a job's recent executions ({@code GET /v1/jobs/{name}/executions}). */
@Command(name = "executions", mixinStandardHelpOptions = true, versionProvider = VersionCommand.Provider.class,
        description = {"Lists a job's recent executions: every attempt of every run on every member, with its"
                + " status, exit code and output. The table shows the start of each output; --json shows it whole."})
final class JobsExecutionsCommand extends AgentRequestCommand {
    /** Characters of output asked for the table: the agent keeps the end of each output within this limit. */
    static final int TABLE_OUTPUT_LIMIT = 1_000;
    private static final int OUTPUT_COLUMN = 60;

    @Parameters(index = "0", paramLabel = "NAME", description = "The job.")
    String job;

    @Option(names = "--output-size-limit", paramLabel = "<chars>", description = {"Keep only the last <chars>"
            + " characters of each output (the API's output_size_limit).",
            "Default: " + TABLE_OUTPUT_LIMIT + " for the table, all of it with --json."})
    Integer outputSizeLimit;

    JobsExecutionsCommand(Map<String, String> env) {
        super(env);
    }

    @Override
    JsonNode ask(ApiClient api) throws ApiCallFailed {
        Integer limit = outputSizeLimit != null ? outputSizeLimit : json() ? null : TABLE_OUTPUT_LIMIT;
        return api.get("/v1/jobs/" + ApiClient.segment(job) + "/executions"
                + (limit == null ? "" : ApiClient.query(Map.of("output_size_limit", String.valueOf(limit)))));
    }

    @Override
    void show(JsonNode executions, PrintWriter out) {
        TextTable table = new TextTable("ID", "Node", "Attempt", "Started", "Finished", "Status", "Exit", "Output");
        for (JsonNode e : executions) {
            table.row(e.path("id").asText(), e.path("node_name").asText(), e.path("attempt").asText(),
                    TextTable.instant(e.path("started_at")), TextTable.instant(e.path("finished_at")),
                    TextTable.text(e.path("status")), TextTable.text(e.path("exit_code")),
                    TextTable.firstLine(e.path("output").asText(), OUTPUT_COLUMN));
        }
        table.print(out);
    }
}
