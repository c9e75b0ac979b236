package dev.hibachi.agent.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.util.Map;
import java.util.concurrent.Callable;

/** {@code hibachi raft list-peers}: the Raft group's servers, in Dkron's columns ({@code GET /v1/raft/peers}). */
@Command(name = "list-peers", mixinStandardHelpOptions = true, versionProvider = VersionCommand.Provider.class,
        description = "Lists the servers of the store's Raft group and which one leads.")
final class RaftListPeersCommand implements Callable<Integer> {
    @Mixin
    AgentAddress agent;

    @Mixin
    JsonOutput output = new JsonOutput();

    @Spec
    CommandSpec spec;

    RaftListPeersCommand(Map<String, String> env) {
        agent = new AgentAddress(env);
    }

    @Override
    public Integer call() throws ApiCallFailed {
        JsonNode peers = new ApiClient(agent.uri()).get("/v1/raft/peers");
        if (output.on()) {
            JsonOutput.print(spec.commandLine().getOut(), peers);
            return 0;
        }
        // Node and ID are both the node name in Hibachi; both columns stay, for scripts written for Dkron's.
        TextTable table = new TextTable("Node", "ID", "Address", "State", "Voter");
        for (JsonNode p : peers) {
            table.row(p.path("id").asText(), p.path("id").asText(), p.path("address").asText(),
                    p.path("leader").asBoolean() ? "leader" : "follower", p.path("voter").asText());
        }
        table.print(spec.commandLine().getOut());
        return 0;
    }
}
