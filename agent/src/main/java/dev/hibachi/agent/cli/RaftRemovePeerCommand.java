package dev.hibachi.agent.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.Map;
import java.util.concurrent.Callable;

/** {@code hibachi raft remove-peer --peer-id <id>}: removes a server from the Raft group (Dkron's flag name). */
@Command(name = "remove-peer", mixinStandardHelpOptions = true, versionProvider = VersionCommand.Provider.class,
        description = {"Removes a server from the store's Raft group, typically a dead one that will not come"
                + " back, so that the quorum no longer counts it."})
final class RaftRemovePeerCommand implements Callable<Integer> {
    @Mixin
    AgentAddress agent;

    @Mixin
    JsonOutput output = new JsonOutput();

    @Option(names = "--peer-id", required = true, paramLabel = "<id>",
            description = "The peer to remove: its node name, as raft list-peers shows it.")
    String peerId;

    @Spec
    CommandSpec spec;

    RaftRemovePeerCommand(Map<String, String> env) {
        agent = new AgentAddress(env);
    }

    @Override
    public Integer call() throws ApiCallFailed {
        JsonNode removed = new ApiClient(agent.uri()).delete("/v1/raft/peers/" + ApiClient.segment(peerId));
        if (output.on()) {
            JsonOutput.print(spec.commandLine().getOut(), removed);
            return 0;
        }
        spec.commandLine().getOut().println("Removed peer " + removed.path("id").asText(peerId) + " ("
                + removed.path("address").asText() + ") from the Raft group.");
        spec.commandLine().getOut().flush();
        return 0;
    }
}
