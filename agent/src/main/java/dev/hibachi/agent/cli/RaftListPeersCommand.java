package dev.hibachi.agent.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;

import java.io.PrintWriter;
import java.util.Map;

/** {@code hibachi raft list-peers}: the Raft group's servers, in Dkron's columns ({@code GET /v1/raft/peers}). */
@Command(name = "list-peers", mixinStandardHelpOptions = true, versionProvider = VersionCommand.Provider.class,
        description = "Lists the servers of the store's Raft group and which one leads.")
final class RaftListPeersCommand extends AgentRequestCommand {
    RaftListPeersCommand(Map<String, String> env) {
        super(env);
    }

    @Override
    JsonNode ask(ApiClient api) throws ApiCallFailed {
        return api.get("/v1/raft/peers");
    }

    @Override
    void show(JsonNode peers, PrintWriter out) {
        // Node and ID are both the node name in Hibachi; both columns stay, for scripts written for Dkron's.
        TextTable table = new TextTable("Node", "ID", "Address", "State", "Voter");
        for (JsonNode p : peers) {
            table.row(p.path("id").asText(), p.path("id").asText(), p.path("address").asText(),
                    p.path("leader").asBoolean() ? "leader" : "follower", p.path("voter").asText());
        }
        table.print(out);
    }
}
