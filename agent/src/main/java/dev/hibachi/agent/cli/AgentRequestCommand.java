package dev.hibachi.agent.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * A command that asks an agent one thing and shows the answer: the agent's own JSON with {@code --json}, for
 * scripts, else what {@link #show} makes of it for people. Which agent is asked ({@link AgentAddress}), the
 * {@code --json} switch and the exit codes (an {@link ApiCallFailed} is 1) are the same for every such command;
 * a command says only what it asks and how it shows the answer.
 */
abstract class AgentRequestCommand implements Callable<Integer> {
    @Mixin
    AgentAddress agent;

    @Mixin
    JsonOutput output = new JsonOutput();

    @Spec
    CommandSpec spec;

    AgentRequestCommand(Map<String, String> env) {
        agent = new AgentAddress(env);
    }

    /** The request, sent to the agent the command names. */
    abstract JsonNode ask(ApiClient api) throws ApiCallFailed;

    /** The answer, for people. */
    abstract void show(JsonNode answer, PrintWriter out);

    /** Whether the answer goes out as JSON (some commands ask for more of it then). */
    boolean json() {
        return output.on();
    }

    @Override
    public final Integer call() throws ApiCallFailed {
        JsonNode answer = ask(new ApiClient(agent.uri()));
        PrintWriter out = spec.commandLine().getOut();
        if (output.on()) {
            JsonOutput.print(out, answer);
        } else {
            show(answer, out);
            out.flush();
        }
        return 0;
    }
}
