package dev.hibachi.agent.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.util.Map;
import java.util.concurrent.Callable;

/** {@code hibachi leader}: the server that leads the store's Raft group, and so schedules ({@code GET /v1/leader}). */
@Command(name = "leader", mixinStandardHelpOptions = true, versionProvider = VersionCommand.Provider.class,
        description = {"Shows the server that leads the store's Raft group: the one that schedules the jobs.",
                "Fails while no leader is known (an election, or too few servers reachable)."})
final class LeaderCommand implements Callable<Integer> {
    @Mixin
    AgentAddress agent;

    @Mixin
    JsonOutput output = new JsonOutput();

    @Spec
    CommandSpec spec;

    LeaderCommand(Map<String, String> env) {
        agent = new AgentAddress(env);
    }

    @Override
    public Integer call() throws ApiCallFailed {
        JsonNode leader = new ApiClient(agent.uri()).get("/v1/leader");
        if (output.on()) {
            JsonOutput.print(spec.commandLine().getOut(), leader);
            return 0;
        }
        new TextTable("Name", "Address", "Raft", "HTTP")
                .row(leader.path("Name").asText(), leader.path("Addr").asText() + ":" + leader.path("Port").asText(),
                        leader.path("Tags").path("rpc_addr").asText(), leader.path("http_addr").asText())
                .print(spec.commandLine().getOut());
        return 0;
    }
}
