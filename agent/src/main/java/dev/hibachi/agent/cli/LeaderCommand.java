package dev.hibachi.agent.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;

import java.io.PrintWriter;
import java.util.Map;

/** {@code hibachi leader}: the server that leads the store's Raft group, and so schedules ({@code GET /v1/leader}). */
@Command(name = "leader", mixinStandardHelpOptions = true, versionProvider = VersionCommand.Provider.class,
        description = {"Shows the server that leads the store's Raft group: the one that schedules the jobs.",
                "Fails while no leader is known (an election, or too few servers reachable)."})
final class LeaderCommand extends AgentRequestCommand {
    LeaderCommand(Map<String, String> env) {
        super(env);
    }

    @Override
    JsonNode ask(ApiClient api) throws ApiCallFailed {
        return api.get("/v1/leader");
    }

    @Override
    void show(JsonNode leader, PrintWriter out) {
        new TextTable("Name", "Address", "Raft", "HTTP")
                .row(leader.path("Name").asText(), leader.path("Addr").asText() + ":" + leader.path("Port").asText(),
                        leader.path("Tags").path("rpc_addr").asText(), leader.path("http_addr").asText())
                .print(out);
    }
}
