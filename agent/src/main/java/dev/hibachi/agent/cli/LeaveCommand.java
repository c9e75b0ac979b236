package dev.hibachi.agent.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;

import java.io.PrintWriter;
import java.util.Map;

/** {@code hibachi leave}: asks an agent to leave the cluster and stop ({@code POST /v1/leave}). */
@Command(name = "leave", mixinStandardHelpOptions = true, versionProvider = VersionCommand.Provider.class,
        description = {"Makes an agent leave the cluster and stop. A server first leaves the store's Raft group,"
                + " so the others' quorum no longer counts it; running jobs may finish first, as on SIGTERM."})
final class LeaveCommand extends AgentRequestCommand {
    LeaveCommand(Map<String, String> env) {
        super(env);
    }

    @Override
    JsonNode ask(ApiClient api) throws ApiCallFailed {
        return api.post("/v1/leave");
    }

    @Override
    void show(JsonNode members, PrintWriter out) {
        String name = null;
        for (JsonNode m : members) {
            if ("leaving".equals(m.path("statusText").asText())) {
                name = m.path("Name").asText();
            }
        }
        out.println((name == null ? "The agent at " + agent.uri() : "Agent " + name)
                + " is leaving the cluster; it stops once its running jobs have finished.");
    }
}
