package dev.hibachi.agent.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.Map;

/** {@code hibachi raft remove-peer --peer-id <id>}: removes a server from the Raft group (Dkron's flag name). */
@Command(name = "remove-peer", mixinStandardHelpOptions = true, versionProvider = VersionCommand.Provider.class,
        description = {"Removes a server from the store's Raft group, typically a dead one that will not come"
                + " back, so that the quorum no longer counts it."})
final class RaftRemovePeerCommand extends AgentRequestCommand {
    @Option(names = "--peer-id", required = true, paramLabel = "<id>",
            description = "The peer to remove: its node name, as raft list-peers shows it.")
    String peerId;

    RaftRemovePeerCommand(Map<String, String> env) {
        super(env);
    }

    @Override
    JsonNode ask(ApiClient api) throws ApiCallFailed {
        return api.delete("/v1/raft/peers/" + ApiClient.segment(peerId));
    }

    @Override
    void show(JsonNode removed, PrintWriter out) {
        out.println("Removed peer " + removed.path("id").asText(peerId) + " ("
                + removed.path("address").asText() + ") from the Raft group.");
    }
}
