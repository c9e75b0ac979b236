package dev.hibachi.agent.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** {@code hibachi members}: the cluster's members as an agent sees them ({@code GET /v1/members}). */
@Command(name = "members", mixinStandardHelpOptions = true, versionProvider = VersionCommand.Provider.class,
        description = "Lists the cluster's members as one agent sees them, those that failed or left included.")
final class MembersCommand extends AgentRequestCommand {
    MembersCommand(Map<String, String> env) {
        super(env);
    }

    @Override
    JsonNode ask(ApiClient api) throws ApiCallFailed {
        return api.get("/v1/members");
    }

    @Override
    void show(JsonNode members, PrintWriter out) {
        TextTable table = new TextTable("Name", "Address", "Status", "Role", "Raft", "HTTP", "Tags");
        for (JsonNode m : members) {
            table.row(m.path("Name").asText(), m.path("Addr").asText() + ":" + m.path("Port").asText(),
                    m.path("statusText").asText(), m.path("role").asText(), m.path("raft_role").asText(),
                    m.path("http_addr").asText(), tags(m.path("Tags")));
        }
        table.print(out);
    }

    private static String tags(JsonNode tags) {
        List<String> pairs = new ArrayList<>();
        tags.fields().forEachRemaining(e -> pairs.add(e.getKey() + "=" + e.getValue().asText()));
        return String.join(",", pairs);
    }
}
