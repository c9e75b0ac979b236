package dev.hibachi.agent.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.util.Map;
import java.util.concurrent.Callable;

/** {@code hibachi leave}: asks an agent to leave the cluster and stop ({@code POST /v1/leave}). */
@Command(name = "leave", mixinStandardHelpOptions = true, versionProvider = VersionCommand.Provider.class,
        description = {"Makes an agent leave the cluster and stop. A server first leaves the store's Raft group,"
                + " so the others' quorum no longer counts it; running jobs may finish first, as on SIGTERM."})
final class LeaveCommand implements Callable<Integer> {
    @Mixin
    AgentAddress agent;

    @Mixin
    JsonOutput output = new JsonOutput();

    @Spec
    CommandSpec spec;

    LeaveCommand(Map<String, String> env) {
        agent = new AgentAddress(env);
    }

    @Override
    public Integer call() throws ApiCallFailed {
        JsonNode members = new ApiClient(agent.uri()).post("/v1/leave");
        if (output.on()) {
            JsonOutput.print(spec.commandLine().getOut(), members);
            return 0;
        }
        String name = null;
        for (JsonNode m : members) {
            if ("leaving".equals(m.path("statusText").asText())) {
                name = m.path("Name").asText();
            }
        }
        spec.commandLine().getOut().println((name == null ? "The agent at " + agent.uri() : "Agent " + name)
                + " is leaving the cluster; it stops once its running jobs have finished.");
        spec.commandLine().getOut().flush();
        return 0;
    }
}
