package dev.hibachi.agent.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code hibachi jobs get NAME}: one job, every field ({@code GET /v1/jobs/{name}}). */
@Command(name = "get", mixinStandardHelpOptions = true, versionProvider = VersionCommand.Provider.class,
        description = "Shows one job: its definition and what the cluster keeps about it (counters, status, next run).")
final class JobsGetCommand extends AgentRequestCommand {
    /** The fields that hold instants, shown to the second in UTC. */
    private static final Set<String> INSTANTS = Set.of("last_success", "last_error", "next", "starts_at", "expires_at");

    @Parameters(index = "0", paramLabel = "NAME", description = "The job.")
    String job;

    JobsGetCommand(Map<String, String> env) {
        super(env);
    }

    @Override
    JsonNode ask(ApiClient api) throws ApiCallFailed {
        return api.get("/v1/jobs/" + ApiClient.segment(job));
    }

    @Override
    void show(JsonNode found, PrintWriter out) {
        int width = 0;
        for (var names = found.fieldNames(); names.hasNext(); ) {
            width = Math.max(width, names.next().length());
        }
        for (var fields = found.fields(); fields.hasNext(); ) {
            var field = fields.next();
            out.println(field.getKey() + ":" + " ".repeat(width - field.getKey().length() + 1)
                    + value(field.getKey(), field.getValue()));
        }
    }

    /** A field's value on one line: maps as {@code k=v,k=v}, lists comma-separated, instants to the second. */
    private static String value(String name, JsonNode value) {
        if (INSTANTS.contains(name)) {
            return TextTable.instant(value);
        }
        if (value.isObject()) {
            List<String> pairs = new ArrayList<>();
            value.fields().forEachRemaining(e -> pairs.add(e.getKey() + "="
                    + (e.getValue().isValueNode() ? e.getValue().asText() : e.getValue().toString())));
            return pairs.isEmpty() ? TextTable.NONE : String.join(",", pairs);
        }
        if (value.isArray()) {
            List<String> items = new ArrayList<>();
            value.forEach(v -> items.add(v.isValueNode() ? v.asText() : v.toString()));
            return items.isEmpty() ? TextTable.NONE : String.join(",", items);
        }
        return TextTable.text(value);
    }
}
