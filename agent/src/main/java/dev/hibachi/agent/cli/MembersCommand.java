package dev.hibachi.agent.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code hibachi members}: the cluster's members as an agent sees them ({@code GET /v1/members}). */
@Command(name = "members", mixinStandardHelpOptions = true, versionProvider = VersionCommand.Provider.class,
        description = "Lists the cluster's members as one agent sees them, those that failed or left included.")
final class MembersCommand implements Callable<Integer> {
    @Mixin
    AgentAddress agent;

    @Mixin
    JsonOutput output = new JsonOutput();

    @Spec
    CommandSpec spec;

    MembersCommand(Map<String, String> env) {
        agent = new AgentAddress(env);
    }

    @Override
    public Integer call() throws ApiCallFailed {
        JsonNode members = new ApiClient(agent.uri()).get("/v1/members");
        if (output.on()) {
            JsonOutput.print(spec.commandLine().getOut(), members);
            return 0;
        }
        TextTable table = new TextTable("Name", "Address", "Status", "Role", "Raft", "HTTP", "Tags");
        for (JsonNode m : members) {
            table.row(m.path("Name").asText(), m.path("Addr").asText() + ":" + m.path("Port").asText(),
                    m.path("statusText").asText(), m.path("role").asText(), m.path("raft_role").asText(),
                    m.path("http_addr").asText(), tags(m.path("Tags")));
        }
        table.print(spec.commandLine().getOut());
        return 0;
    }

    private static String tags(JsonNode tags) {
        List<String> pairs = new ArrayList<>();
        tags.fields().forEachRemaining(e -> pairs.add(e.getKey() + "=" + e.getValue().asText()));
        return String.join(",", pairs);
    }
}
